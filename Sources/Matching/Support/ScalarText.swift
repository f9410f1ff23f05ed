extension String {
    /// `self` with every `scalar` replaced by `replacement`, scalar by scalar.
    ///
    /// Foundation's `replacingOccurrences(of:with:)` and `Character` comparisons work on
    /// grapheme clusters, so they miss a `"` that a combining mark follows (`"\u{301}` is one
    /// cluster, not a quote): a CSV field quoted for that quote then ended at it (a code
    /// review, session 17). Quoting and escaping go by scalars.
    public func replacingScalar(_ scalar: Unicode.Scalar, with replacement: String) -> String {
        guard unicodeScalars.contains(scalar) else { return self }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            if s == scalar { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(s) }
        }
        return String(out)
    }
}
