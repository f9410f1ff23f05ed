import CLibPQ
import Logging

/// A NOTICE, WARNING or other non-error message the server sent during a statement.
public struct PostgresNotice: Sendable {
    /// `NOTICE`, `WARNING`, `INFO`, `DEBUG` or `LOG` (not localized).
    public var severity: String
    public var sqlState: String?
    public var message: String
}

/// Receives libpq's notices for one connection; libpq calls it through an `Unmanaged` pointer.
final class NoticeSink {
    let logger: Logger
    var handler: ((PostgresNotice) -> Void)?

    init(logger: Logger) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let notice = PostgresNotice(severity: field("V") ?? field("S") ?? "NOTICE", sqlState: field("C"),
                                    message: field("M") ?? "")
        let level: Logger.Level
        switch notice.severity {
        case "WARNING": level = .warning
        case "NOTICE": level = .notice
        case "INFO", "LOG": level = .info
        default: level = .debug
        }
        logger.log(level: level, "\(notice.message)", metadata: [
            "severity": "\(notice.severity)", "sqlstate": "\(notice.sqlState ?? "")",
        ])
        handler?(notice)
    }
}
