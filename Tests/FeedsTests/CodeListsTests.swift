import Foundation
import Matching
import Testing
@testable import Feeds

/// The ISO code lists from Debian's iso-codes JSON files.
@Suite struct CodeListsTests {
    /// A directory laid out like `/usr/share`: `iso-codes/json/*.json` and `pkgconfig/iso-codes.pc`.
    func fakeShare(version: String?) throws -> URL {
        let share = try temporaryDirectory()
        let json = share.appendingPathComponent("iso-codes/json")
        try FileManager.default.createDirectory(at: json, withIntermediateDirectories: true)
        try #"{"3166-1": [{"alpha_2": "PH", "alpha_3": "PHL"}, {"alpha_2": "DE", "alpha_3": "DEU"}]}"#
            .write(to: json.appendingPathComponent("iso_3166-1.json"), atomically: true, encoding: .utf8)
        try #"{"4217": [{"alpha_3": "EUR", "numeric": "978"}, {"alpha_3": "PHP", "numeric": "608"}]}"#
            .write(to: json.appendingPathComponent("iso_4217.json"), atomically: true, encoding: .utf8)
        // Only entries with an alpha_2 are ISO 639-1 languages.
        try #"{"639-2": [{"alpha_2": "en", "alpha_3": "eng"}, {"alpha_3": "ace", "name": "Achinese"}]}"#
            .write(to: json.appendingPathComponent("iso_639-2.json"), atomically: true, encoding: .utf8)
        if let version {
            let pc = share.appendingPathComponent("pkgconfig")
            try FileManager.default.createDirectory(at: pc, withIntermediateDirectories: true)
            try "prefix=/usr\n\nName: iso-codes\nVersion: \(version)\n"
                .write(to: pc.appendingPathComponent("iso-codes.pc"), atomically: true, encoding: .utf8)
        }
        return share
    }

    @Test func readsTheThreeListsAndTheVersion() throws {
        let share = try fakeShare(version: "9.8.7")
        defer { try? FileManager.default.removeItem(at: share) }
        let codes = try CodeLists.load(directory: share.appendingPathComponent("iso-codes/json").path)
        #expect(codes == CodeLists(countries: ["PH", "DE"], currencies: ["EUR", "PHP"], languages: ["en"], version: "9.8.7"))
    }

    @Test func versionIsUnknownWithoutAPkgConfigFile() throws {
        let share = try fakeShare(version: nil)
        defer { try? FileManager.default.removeItem(at: share) }
        #expect(try CodeLists.load(directory: share.appendingPathComponent("iso-codes/json").path).version == "unknown")
    }

    @Test func missingDirectoryOrFileIsAClearError() throws {
        let error = #expect(throws: CodeListError.self) { try CodeLists.load(directory: "/nonexistent/iso-codes/json") }
        #expect(error?.message.contains("iso-codes") == true)
        let share = try fakeShare(version: nil)
        defer { try? FileManager.default.removeItem(at: share) }
        let json = share.appendingPathComponent("iso-codes/json")
        try FileManager.default.removeItem(at: json.appendingPathComponent("iso_4217.json"))
        let missing = #expect(throws: CodeListError.self) { try CodeLists.load(directory: json.path) }
        #expect(missing?.message.contains("iso_4217.json") == true)
    }

    @Test func dpkgStatusGivesTheUpstreamVersion() {
        let status = "Package: isoquery\nVersion: 3.3.4-1\n\nPackage: iso-codes\nStatus: install ok installed\nVersion: 1:4.15.0-1\n\n"
        #expect(CodeLists.dpkgVersion(status) == "4.15.0")
        #expect(CodeLists.dpkgVersion("Package: other\nVersion: 1\n") == nil)
        #expect(CodeLists.pkgConfigVersion("Name: iso-codes\nVersion: 4.15.0\n") == "4.15.0")
    }

    @Test func systemListsHoldTheUsualCodes() throws {
        // The project's setup installs iso-codes; the spec names these files.
        let codes = try CodeLists.system()
        #expect(codes.countries.contains("PH") && codes.countries.contains("DE") && !codes.countries.contains("ph"))
        #expect(codes.currencies.contains("EUR") && codes.currencies.contains("USD"))
        #expect(codes.languages.contains("en") && !codes.languages.contains("eng") && !codes.languages.contains("ace"))
        #expect(codes.version != "unknown")
        #expect(try CodeLists.system() == codes)
    }

    @Test func theShippedWHOListReads() throws {
        // The project's copy of the WHO list: 55 countries, every code valid.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Reference/who-safeguards-2023.csv").path
        let reader = FeedReader(kind: .whoList, format: .csv, codes: try CodeLists.system())
        let result = try reader.readAll(path: path)
        #expect(result.rejections == [])
        #expect(result.accepted.count == 55 && result.dataRows == 55)
    }

    @Test func anUnreadableFeedIsAFileError() {
        let reader = FeedReader(kind: .employers, format: .csv, codes: testCodes)
        let error = #expect(throws: FeedFileError.self) { try reader.readAll(path: "/nonexistent/employers.csv") }
        if case .unreadable? = error?.problem {} else { Issue.record("expected .unreadable, got \(String(describing: error))") }
    }
}
