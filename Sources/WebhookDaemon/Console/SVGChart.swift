/// A stacked bar chart as inline SVG: one bar per hour, one coloured segment per series, with hour
/// labels and a legend. No script and no external asset: it renders with JavaScript off and under the
/// console's Content-Security-Policy.
struct SVGChart: Sendable {
    /// One stacked series: its name (escaped when drawn), CSS class (its colour) and a count per bar.
    struct Series: Sendable {
        /// The legend's text.
        let name: String
        /// The class giving its colour in `console.css` (`done`, `pending`, `failed`, `s0`…`s6`).
        let cssClass: String
        /// One count per bar.
        let counts: [Int]
    }

    /// The label under each bar.
    let labels: [String]
    /// The stacked series, bottom first.
    let series: [Series]
    /// The accessible title.
    let title: String

    /// Drawing width in SVG units.
    static let width = 720
    /// Height of the bars' area.
    static let plotHeight = 160
    /// Left margin for the scale.
    static let left = 36
    /// Space under the bars for labels.
    static let bottom = 20

    /// The `<svg>` element followed by its legend.
    func render() -> HTML {
        let totals = labels.indices.map { index in series.reduce(0) { $0 + ($1.counts.indices.contains(index) ? $1.counts[index] : 0) } }
        let maximum = max(1, totals.max() ?? 0)
        let slot = labels.isEmpty ? 0 : (Self.width - Self.left) / labels.count
        let barWidth = max(2, slot - 4)
        var shapes: [HTML] = [.element("title", text: title)]
        // Scale: the maximum at the top, 0 at the bottom.
        shapes.append(.element("text", [("x", "0"), ("y", "10"), ("class", "scale")], text: String(maximum)))
        shapes.append(.element("text", [("x", "0"), ("y", String(Self.plotHeight)), ("class", "scale")], text: "0"))
        shapes.append(.element("line", [("x1", String(Self.left)), ("y1", String(Self.plotHeight)), ("x2", String(Self.width)),
                                         ("y2", String(Self.plotHeight)), ("class", "axis")]))
        for (index, label) in labels.enumerated() {
            let x = Self.left + index * slot + 2
            var base = Self.plotHeight
            for entry in series {
                let count = entry.counts.indices.contains(index) ? entry.counts[index] : 0
                guard count > 0 else { continue }
                let height = max(1, count * Self.plotHeight / maximum)
                base -= height
                shapes.append(.element("rect", [("x", String(x)), ("y", String(base)), ("width", String(barWidth)), ("height", String(height)),
                                                 ("class", "bar \(entry.cssClass)")], [.element("title", text: "\(label): \(count) \(entry.name)")]))
            }
            if index % 3 == 0 {
                shapes.append(.element("text", [("x", String(x)), ("y", String(Self.plotHeight + 14)), ("class", "label")], text: label))
            }
        }
        let svg = HTML.element("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(Self.width) \(Self.plotHeight + Self.bottom)"),
            ("class", "chart"), ("role", "img"), ("aria-label", title),
        ], shapes)
        let legend = HTML.element("ul", [("class", "legend")], series.map { entry in
            .element("li", [], [.element("span", [("class", "swatch \(entry.cssClass)")]), .text(" \(entry.name): \(entry.counts.reduce(0, +))")])
        })
        return .join([svg, legend])
    }
}
