import Foundation

/// The ISO code lists feeds are checked against, from Debian's iso-codes package, and its version.
public struct CodeLists: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 codes (`PH`).
    public var countries: Set<String>
    /// ISO 4217 codes (`EUR`).
    public var currencies: Set<String>
    /// ISO 639-1 codes (`en`): the entries of ISO 639-2 that have an alpha-2 code.
    public var languages: Set<String>
    /// The iso-codes version (`4.15.0`), recorded with every load and run; `unknown` when not found.
    public var version: String

    public init(countries: Set<String>, currencies: Set<String>, languages: Set<String>,
                version: String = "unknown") {
        self.countries = countries; self.currencies = currencies; self.languages = languages
        self.version = version
    }

    /// Where Debian installs the JSON files.
    public static let defaultDirectory = "/usr/share/iso-codes/json"

    /// Reads `iso_3166-1.json`, `iso_4217.json` and `iso_639-2.json` from `directory`.
    ///
    /// The version comes from `iso-codes.pc` two levels up (`/usr/share/pkgconfig`
    /// for the default directory), else, for the default directory only, from
    /// dpkg's status file (upstream part of the version), else `unknown`.
    public static func load(directory: String = defaultDirectory) throws(CodeListError) -> CodeLists {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CodeListError(message: "the ISO code lists are not at \(directory): install Debian's iso-codes package (apt-get install iso-codes) or name the directory that holds iso_3166-1.json")
        }
        let base = URL(fileURLWithPath: directory)
        func codes(_ file: String, list: String, field: String) throws(CodeListError) -> Set<String> {
            let path = base.appendingPathComponent(file).path
            guard let bytes = readWholeFile(path) else {
                throw CodeListError(message: "cannot read \(path): install Debian's iso-codes package")
            }
            guard let document = try? JSONParser.parse(bytes), let entries = document.member(list),
                  case .array(let items) = entries else {
                throw CodeListError(message: "\(path) is not an iso-codes list (no \"\(list)\" array)")
            }
            var out = Set<String>()
            for item in items { if case .string(let code)? = item.member(field) { out.insert(code) } }
            return out
        }
        let pcFile = base.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pkgconfig/iso-codes.pc").path
        var version = readWholeFile(pcFile).flatMap { pkgConfigVersion(String(decoding: $0, as: UTF8.self)) }
        if version == nil, base.standardizedFileURL.path == defaultDirectory {
            version = readWholeFile("/var/lib/dpkg/status").flatMap { dpkgVersion(String(decoding: $0, as: UTF8.self)) }
        }
        return CodeLists(countries: try codes("iso_3166-1.json", list: "3166-1", field: "alpha_2"),
                         currencies: try codes("iso_4217.json", list: "4217", field: "alpha_3"),
                         languages: try codes("iso_639-2.json", list: "639-2", field: "alpha_2"),
                         version: version ?? "unknown")
    }

    /// The default directory's lists, read once per process.
    public static func system() throws(CodeListError) -> CodeLists {
        try systemLists.get()
    }

    private static let systemLists = Result { () throws(CodeListError) -> CodeLists in try load() }

    /// `Version: 4.15.0` of a pkg-config file.
    static func pkgConfigVersion(_ text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("Version:") {
            let v = line.dropFirst("Version:".count).trimmingCharacters(in: .whitespaces)
            if !v.isEmpty { return v }
        }
        return nil
    }

    /// The upstream version (`4.15.0` of `4.15.0-1`) of the installed iso-codes in a dpkg status file.
    static func dpkgVersion(_ status: String) -> String? {
        for stanza in status.components(separatedBy: "\n\n") {
            let lines = stanza.split(separator: "\n")
            guard lines.contains("Package: iso-codes"),
                  let line = lines.first(where: { $0.hasPrefix("Version:") }) else { continue }
            var v = Substring(line.dropFirst("Version:".count).trimmingCharacters(in: .whitespaces))
            if let colon = v.firstIndex(of: ":") { v = v[v.index(after: colon)...] }
            if let dash = v.lastIndex(of: "-") { v = v[..<dash] }
            return v.isEmpty ? nil : String(v)
        }
        return nil
    }
}

/// The ISO code lists cannot be read; says what to install or where to look.
public struct CodeListError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
