import Matching

/// Number formats shared by the renderers. Integer arithmetic only, so a figure
/// never depends on floating-point luck or the locale.
enum ReportFormat {
    /// `fit_micro` with six decimals, as in `matches.csv`.
    static func fit(_ micro: Int) -> String { FitScore.text(micro: micro) }

    /// `numerator / denominator` rounded half up to `places` decimals (`0.667`); `-` for a zero denominator.
    static func decimal(_ numerator: Int, _ denominator: Int, places: Int = 3) -> String {
        guard denominator != 0 else { return "-" }
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (2 * numerator * scale + denominator) / (2 * denominator)
        let whole = String(scaled / scale), frac = String(scaled % scale)
        return places == 0 ? whole : whole + "." + String(repeating: "0", count: places - frac.count) + frac
    }

    /// `m/n` as a percentage with one decimal (`41.7 %`); `-` when n is 0.
    static func percent(_ m: Int, _ n: Int) -> String {
        n == 0 ? "-" : decimal(m * 100, n, places: 1) + " %"
    }

    /// An exact criterion value (`n` or `n/d`) for reading: `1`, `0`, `1/2 (0.500000)`, the
    /// decimal as the CSV writes it (six places: explain and the report printed four, session 19).
    static func criterion(_ exact: String) -> String {
        let parts = exact.split(separator: "/")
        guard parts.count == 2, Int(parts[0]) != nil, Int(parts[1]) != nil else { return exact }
        return "\(exact) (\(criterionDecimal(exact)))"
    }

    /// An exact criterion value as a decimal with six places (for the CSV); the text itself when unreadable.
    static func criterionDecimal(_ exact: String) -> String {
        let parts = exact.split(separator: "/")
        if parts.count == 1, let n = Int(parts[0]) { return decimal(n, 1, places: 6) }
        guard parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]) else { return exact }
        return decimal(n, d, places: 6)
    }

    /// Milliseconds, or empty.
    static func ms(_ value: Int?) -> String { value.map(String.init) ?? "" }

    /// Whole cents as an amount with two decimals (`123456` is `1234.56`).
    static func usd<Cents: BinaryInteger>(cents: Cents) -> String {
        let (q, r) = cents.magnitude.quotientAndRemainder(dividingBy: 100)
        return (cents < 0 ? "-" : "") + "\(q)." + (r < 10 ? "0" : "") + "\(r)"
    }

    /// The impact ratio of a group truncated to three decimals (`0.833`; 403/504 is `0.799`,
    /// never a `0.800` beside the flag "below 0.8"), or `n/a`.
    static func impact(_ g: AuditReport.FairnessGroup) -> String {
        guard let n = g.impactNumerator, let d = g.impactDenominator, d > 0 else { return "n/a" }
        let scaled = n * 1000 / d
        let frac = String(scaled % 1000)
        return "\(scaled / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// The exact impact ratio (`5/6`), or empty.
    static func impactExact(_ g: AuditReport.FairnessGroup) -> String {
        guard let n = g.impactNumerator, let d = g.impactDenominator else { return "" }
        return d == 1 ? "\(n)" : "\(n)/\(d)"
    }

    /// Which bin of the fit distribution a fit on an edge falls in (a match of fit 0.55 counts
    /// in 0.55 to 0.60).
    static let binsNote = "bins of 0.05, each from its lower edge (included) to its upper edge (excluded); "
        + "the last includes 1.00"

    /// A list cut at `limit` of `count` items: says so (empty when nothing is cut).
    static func firstListed(_ count: Int, limit: Int) -> String {
        count > limit ? " (the first \(limit) of \(count) listed)" : ""
    }

    /// How the figures of the report are rounded, for recomputing them by hand (HTML and
    /// Markdown); under `optimal`, which of them the pairs themselves follow from.
    static func roundingNote(strategy: String) -> String {
        "Rounding: a fit is computed exactly, then rounded half away from zero to millionths (MATCHING.md "
            + "section 3); the mean fit is the sum of the fits / the number of matches, rounded half up to "
            + "millionths; percentages (match rates, shares) are rounded half up to one decimal (5/16 = 31.25 % "
            + "reads 31.3 %); impact ratios are truncated to three decimals."
            + (strategy == Strategy.optimal.rawValue
                ? " Under optimal, where several matchings have the same largest sum of fit and then the same "
                  + "smallest sum of worker ranks, which of them is taken is the engine's choice (MATCHING.md "
                  + "section 6): the two sums can be recomputed by hand, the pairs only by this engine."
                : "")
    }

    /// What the steps table's figures are (HTML and Markdown): the work of each execution, not
    /// results to recompute.
    static let stepsNote = "Durations and row counts describe each execution's work, not its results: the candidates "
        + "step's rows read are the pairs the engine scored, which depends on its pruning (a pair that cannot reach "
        + "min_fit is skipped unscored), so they are not a figure to recompute."

    /// The sentence that says how the fairness figures are made (HTML and Markdown).
    static let fairnessMethod = """
        Match rate = matched / eligible workers (taking part, no exclusion of their own) of the group. \
        Impact ratio = the group's rate / the best group's rate, computed exactly (shown truncated to three \
        decimals, so that a flagged ratio never reads 0.800, the exact fraction beside it); flagged when below 0.8 (the four-fifths rule of \
        employment-selection audits, e.g. NYC Local Law 144). Groups with fewer than \
        \(AuditReport.minimumGroupSize) eligible workers are shown but neither rated nor used as the best \
        group; groups with no eligible worker do not appear. Ties: every group with the best rate has ratio 1. \
        When no rated group has a match, no ratio is given. Gender and origin country are never inputs of the \
        fit score nor of the preferences; origin country is read only by the WHO safeguard-list rule.
        """
}

/// A JSON value whose objects keep their keys in the order given, so the output is deterministic.
indirect enum JSONValue {
    case string(String)
    case int(Int)
    /// A whole number of any size (openings), as its digits.
    case count(Count)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// An optional string, or null.
    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    /// An optional integer, or null.
    static func number(_ n: Int?) -> JSONValue { n.map { .int($0) } ?? .null }

    /// Two-space indented text; arrays of scalars and empty containers stay on one line.
    func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let s): return JSONValue.quote(s)
        case .int(let n): return String(n)
        case .count(let n): return n.description
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isScalar) { return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]" }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let entries):
            if entries.isEmpty { return "{}" }
            return "{\n" + entries.map { inner + JSONValue.quote($0.0) + ": " + $0.1.rendered(indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// A JSON string literal (the escaping of `summary.json`).
    static func quote(_ s: String) -> String { OutputFiles.jsonString(s) }
}
