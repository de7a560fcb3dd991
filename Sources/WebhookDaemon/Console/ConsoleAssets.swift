/// The console's stylesheet and script, served from the admin listener itself (`/console.css`,
/// `/console.js`) so that the Content-Security-Policy can forbid every inline style and script.
enum ConsoleAssets {
    /// The stylesheet: system fonts, a light theme, status colours shared by badges and chart.
    static let stylesheet = """
        :root { --done: #2e7d32; --pending: #f9a825; --failed: #c62828; --ink: #1d232b; --muted: #5f6b7a; --line: #dde3ea; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f8fa; }
        nav { display: flex; gap: 1.2em; align-items: center; padding: .6em 1.5em; background: #1d232b; }
        nav a, nav .brand { color: #e8edf2; text-decoration: none; }
        nav .brand { font-weight: 700; margin-right: 1em; }
        nav a.current { border-bottom: 2px solid #8ab4f8; }
        nav form.signout { margin-left: auto; }
        main { max-width: 1240px; margin: 0 auto; padding: 1em 1.5em 3em; }
        h1 { font-size: 1.5em; margin: .4em 0 .6em; }
        h2 { font-size: 1.1em; margin: 1.4em 0 .5em; }
        h3 { font-size: 1em; margin: .8em 0 .3em; }
        a { color: #1a5fb4; }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef2f6; font-weight: 600; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        td.error, p.error { color: var(--failed); }
        td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
        .badge { display: inline-block; padding: 0 .5em; border-radius: 1em; font-size: .85em; color: #fff; background: var(--muted); }
        .badge.done, .badge.succeeded { background: var(--done); }
        .badge.pending { background: var(--pending); color: #222; }
        .badge.failed { background: var(--failed); }
        .tiles { display: flex; gap: 1em; flex-wrap: wrap; }
        .tile { flex: 1 1 180px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; text-decoration: none; color: var(--ink); }
        .tile .value { display: block; font-size: 1.8em; font-weight: 600; }
        .tile .label { display: block; color: var(--muted); }
        .tile .note { display: block; font-size: .85em; color: var(--muted); }
        .chart-box { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5em 1em 1em; margin-top: 1em; }
        .chart-box h2 { margin-top: .3em; }
        svg.chart { width: 100%; height: auto; }
        svg .bar.done, .swatch.done { fill: var(--done); background: var(--done); }
        svg .bar.pending, .swatch.pending { fill: var(--pending); background: var(--pending); }
        svg .bar.failed, .swatch.failed { fill: var(--failed); background: var(--failed); }
        svg .bar.s0, .swatch.s0 { fill: #1a5fb4; background: #1a5fb4; }
        svg .bar.s1, .swatch.s1 { fill: #26a269; background: #26a269; }
        svg .bar.s2, .swatch.s2 { fill: #e66100; background: #e66100; }
        svg .bar.s3, .swatch.s3 { fill: #613583; background: #613583; }
        svg .bar.s4, .swatch.s4 { fill: #c64600; background: #c64600; }
        svg .bar.s5, .swatch.s5 { fill: #1c71d8; background: #1c71d8; }
        svg .bar.s6, .swatch.s6 { fill: #9a9996; background: #9a9996; }
        svg .axis { stroke: #9aa5b1; }
        svg text { font-size: 10px; fill: var(--muted); }
        ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 1.2em; padding: 0; margin: .3em 0 0; }
        .swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px; vertical-align: -1px; }
        .ready { padding: .5em 1em; border-radius: 6px; }
        .ready.ok { background: #e6f4ea; color: var(--done); }
        .ready.failing { background: #fdecea; color: var(--failed); }
        .ready.failing p { margin: 0; font-weight: 600; }
        .notice { background: #e8f0fe; padding: .5em 1em; border-radius: 6px; }
        .warning { background: #fff4e5; padding: .5em 1em; border-radius: 6px; }
        .empty { color: var(--muted); }
        form.filters { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: flex-end; margin-bottom: 1em; background: #fff; padding: .8em 1em; border: 1px solid var(--line); border-radius: 6px; }
        form label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
        input, select { font: inherit; padding: .25em .4em; border: 1px solid #b8c2cc; border-radius: 4px; min-width: 9em; }
        button, a.button { font: inherit; padding: .35em .9em; border-radius: 4px; border: 1px solid #1a5fb4; background: #1a5fb4; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
        a.button.secondary { background: #fff; color: #1a5fb4; }
        p.actions { display: flex; gap: .8em; }
        nav button { background: transparent; border-color: #5f6b7a; }
        a.reset { align-self: center; }
        .pager { display: flex; gap: 1.5em; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        .event-id { font-family: ui-monospace, monospace; color: var(--muted); margin-top: -.6em; }
        pre { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; overflow: auto; max-height: 36em; font: 12.5px/1.4 ui-monospace, "SFMono-Regular", monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
        ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid var(--line); margin-left: .4em; }
        ol.timeline > li { padding-left: 1em; margin-bottom: 1em; }
        .run { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--done); border-radius: 4px; padding: .2em .8em; margin: .4em 0; }
        .run.failed { border-left-color: var(--failed); }
        .run pre.output { max-height: 12em; }
        main.signin { max-width: 380px; margin-top: 4em; }
        main.signin form { display: flex; flex-direction: column; gap: .8em; }
        p.refusal { font-size: 1.1em; }
        """

    /// The script: reloads pages that ask for it (`data-refresh` seconds on `<body>`, the overview)
    /// unless the operator is typing. Reading never depends on it.
    static let script = """
        (function () {
          var seconds = parseInt(document.body.getAttribute('data-refresh') || '', 10);
          if (!(seconds > 0)) { return; }
          setInterval(function () {
            var active = document.activeElement;
            if (active && (active.tagName === 'INPUT' || active.tagName === 'SELECT')) { return; }
            window.location.reload();
          }, seconds * 1000);
        })();
        """
}
