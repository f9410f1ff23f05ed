/// Charts as inline SVG, drawn from counts (no charting service, no script).
/// Every bar carries its count as text, so the picture can be read without the axis.
enum SVGChart {
    /// One bar: its label, its count, and whether it is drawn in the warning colour.
    struct Bar {
        var label: String
        var count: Int
        var warn = false
    }

    static let width = 540

    /// Horizontal bars, one row each, in the order given.
    static func bars(_ bars: [Bar], title: String) -> String {
        if bars.isEmpty { return "<p class=\"note\">nothing to show</p>\n" }
        let row = 20, top = 4
        // At 11 px, about 7.5 px per capital or digit and 6 px per other character;
        // labels past 48 characters are clipped to keep the bars readable.
        func textWidth(_ s: String) -> Int {
            s.prefix(48).unicodeScalars.reduce(0) { $0 + (isWide($1) ? 75 : 60) } / 10
        }
        let labelWidth = min(310, 12 + (bars.map { textWidth($0.label) }.max() ?? 0))
        let valueRoom = 44
        let barRoom = width - labelWidth - valueRoom
        let most = max(1, bars.map(\.count).max() ?? 1)
        let height = top + bars.count * row + 4
        var s = open(height: height, title: title)
        for (i, b) in bars.enumerated() {
            let y = top + i * row
            let w = max(b.count > 0 ? 1 : 0, b.count * barRoom / most)
            let label = b.label.count > 48 ? String(b.label.prefix(47)) + "…" : b.label
            s += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(XHTML.escape(label))</text>"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"14\" class=\"\(b.warn ? "warn" : "bar")\">"
            s += "<title>\(XHTML.escape("\(b.label): \(b.count)"))</title></rect>"
            s += "<text x=\"\(labelWidth + w + 4)\" y=\"\(y + 14)\">\(b.count)</text>\n"
        }
        return s + "</svg>\n"
    }

    /// A vertical histogram of the fit bins, labelled with each bin's lower bound.
    static func histogram(_ bins: [AuditReport.FitBin], title: String) -> String {
        let height = 210, left = 34, bottom = 36, top = 16
        let plot = height - bottom - top
        let slot = (width - left - 8) / max(1, bins.count)
        let most = max(1, bins.map(\.count).max() ?? 1)
        var s = open(height: height, title: title)
        s += "<line x1=\"\(left)\" y1=\"\(top + plot)\" x2=\"\(width - 4)\" y2=\"\(top + plot)\" class=\"axis\"/>\n"
        for (i, b) in bins.enumerated() {
            let x = left + i * slot
            let h = b.count * plot / most
            let lo = ReportFormat.decimal(b.lowMicro, 1_000_000, places: 2)
            let hi = ReportFormat.decimal(b.highMicro, 1_000_000, places: 2)
            s += "<rect x=\"\(x + 2)\" y=\"\(top + plot - h)\" width=\"\(slot - 4)\" height=\"\(h)\" class=\"bar\">"
            s += "<title>\(XHTML.escape("fit \(lo) to \(hi): \(b.count)"))</title></rect>"
            s += "<text x=\"\(x + slot / 2)\" y=\"\(top + plot - h - 3)\" text-anchor=\"middle\">\(b.count)</text>"
            s += "<text x=\"\(x + slot / 2)\" y=\"\(top + plot + 14)\" text-anchor=\"middle\" class=\"muted\">\(lo)</text>\n"
        }
        s += "<text x=\"\(width - 4)\" y=\"\(height - 4)\" text-anchor=\"end\" class=\"muted\">fit (lower bound of each bin)</text>\n"
        return s + "</svg>\n"
    }

    /// Characters drawn wide (capitals, digits, `_`) when estimating a label's width.
    private static func isWide(_ u: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(u) || ("0"..."9").contains(u) || u == "_" || u == "m" || u == "w"
    }

    private static func open(height: Int, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\"><title>\(XHTML.escape(title))</title>\n"
    }
}

