// Parse arguments, load configuration, build, run: nothing else lives here.
import Foundation
import WebhookDaemon

let status = CommandLineInterface.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
exit(status.rawValue)
