/// The output files of MATCHING.md section 7, rendered from a result: pure
/// functions of it (no clock, host or path), LF line ends, ids unquoted.
public enum OutputFiles {
    /// `matches.csv`: `worker_id,vacancy_id,fit,worker_rank`, sorted by worker_id.
    public static func matchesCSV(_ result: MatchingResult) -> String {
        pairsCSV(result, result.matches)
    }

    /// `candidates.csv`: the same columns for every candidate, sorted by worker_id, vacancy_id.
    public static func candidatesCSV(_ result: MatchingResult) -> String {
        pairsCSV(result, result.candidates)
    }

    private static func pairsCSV(_ result: MatchingResult, _ rows: [Candidate]) -> String {
        var out = "worker_id,vacancy_id,fit,worker_rank\n"
        out.reserveCapacity(rows.count * 40)
        // Rows are in index order, which is id byte order.
        for c in rows {
            out += result.workerId(of: c)
            out += ","
            out += result.vacancyId(of: c)
            out += ","
            out += FitScore.text(micro: c.fitMicro)
            out += ","
            out += String(c.workerRank)
            out += "\n"
        }
        return out
    }

    /// `exclusions.csv`: `subject,worker_id,vacancy_id,reason`, sorted by all four columns.
    public static func exclusionsCSV(_ result: MatchingResult) -> String {
        var out = "subject,worker_id,vacancy_id,reason\n"
        // `result.exclusions` is already in file order (`Exclusion.fileOrder`).
        for e in result.exclusions {
            out += "\(e.subject.rawValue),\(e.workerId ?? ""),\(e.vacancyId ?? ""),\(e.reason)\n"
        }
        return out
    }

    /// `summary.json` with the spec's keys in its order, 2-space indentation,
    /// `exclusions` keys sorted by bytes and `warnings` always listing
    /// MIN_WAGE_UNKNOWN. The hashes are computed by the caller (Matching cannot hash).
    public static func summaryJSON(_ result: MatchingResult, policySHA256: String, inputSHA256: String) -> String {
        func object(_ entries: [(String, Int)], indent: String) -> String {
            if entries.isEmpty { return "{}" }
            let inner = entries.map { "\(indent)  \(jsonString($0.0)): \($0.1)" }.joined(separator: ",\n")
            return "{\n\(inner)\n\(indent)}"
        }
        let exclusions = result.exclusionCounts.sorted { bytesLess($0.key, $1.key) }.map { ($0.key, $0.value) }
        let lines = [
            "\"strategy\": \(jsonString(result.strategy.rawValue))",
            "\"run_date\": \(jsonString(result.runDate.description))",
            "\"policy_sha256\": \(jsonString(policySHA256))",
            "\"input_sha256\": \(jsonString(inputSHA256))",
            "\"who_list_edition\": \(jsonString(result.whoListEdition))",
            "\"counts\": \(object(result.counts.keyed, indent: "  "))",
            "\"fit_sum\": \(jsonString(FitScore.text(micro: result.fitSumMicro)))",
            "\"worker_rank_sum\": \(result.workerRankSum)",
            "\"exclusions\": \(object(exclusions, indent: "  "))",
            "\"warnings\": \(object([(minWageUnknownWarning, result.minWageUnknown)], indent: "  "))",
        ]
        return "{\n" + lines.map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
