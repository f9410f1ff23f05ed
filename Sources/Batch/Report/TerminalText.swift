import Logging
/// Text from a feed (a vacancy's title, a rejection's detail) printed to a terminal: one line,
/// shown as it is. Line breaks, tabs and every other control character (C0, DEL, C1, so also
/// the ESC that starts a terminal escape sequence) are written as `\n`, `\r`, `\t` or
/// `\u{1B}`, and a backslash as `\\`, so a feed cannot move the cursor, recolour or retitle
/// an operator's or auditor's terminal, and the escaped text reads back unambiguously. The
/// bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069) are escaped too:
/// they would reorder the rest of the line as a bidi-aware terminal shows it; and so are the
/// characters a terminal shows as nothing or as a plain space (`invisible`), but in `path`.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        escaping(text, invisible: true) { scalar in
            switch scalar.value {
            case 0x0A: return "\\n"
            case 0x0D: return "\\r"
            case 0x09: return "\\t"
            case 0x5C: return "\\\\"
            default: return nil
            }
        }
    }

    /// `text` with control characters and bidirectional overrides (and, with `invisible`, the
    /// characters a terminal shows as nothing or as a plain space: `invisible(_:)`) as
    /// `\u{..}`, after `special` had its say (its text for a scalar, or nil to leave it to the rule).
    private static func escaping(_ text: String, invisible hide: Bool = false,
                                 _ special: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        // The last scalar written as itself, if the one before this one was: a variation selector
        // shows nothing unless it picks the look of such a (non-ASCII) character.
        var shownBefore: Unicode.Scalar?
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            if let replaced = special(scalar) {
                out += replaced
                shownBefore = nil
                continue
            }
            if drivesTerminal(scalar) || (hide && (invisible(scalar)
                || strayVariationSelector(scalar, after: shownBefore, before: i + 1 < scalars.count ? scalars[i + 1] : nil))) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                shownBefore = nil
            } else {
                out.unicodeScalars.append(scalar)
                shownBefore = scalar
            }
        }
        return out
    }

    /// `message` as a log line's metadata value: an error's text (which may quote a path or a
    /// feed's bytes) cannot split the line or drive the terminal.
    public static func logValue(_ value: Any) -> Logger.MetadataValue {
        .string(message("\(value)"))
    }

    /// Whether `scalar` moves or drives a terminal, or reorders what it shows: a C0 or C1 control
    /// character, DEL, or a bidirectional embedding, override or isolate.
    public static func drivesTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Whether a terminal shows `scalar` as nothing, or as a plain space: a format character (a
    /// zero-width space, a BOM, a soft hyphen), a space other than U+0020 (a no-break space), a
    /// line or paragraph separator. In a rejection's reason `' DE' is not a country code` read
    /// as nonsense with a no-break space before `DE` (an operator review, session 17). Also the
    /// letters and symbols drawn blank (Unicode's default-ignorable code points, such as the
    /// Hangul fillers U+3164 and U+FFA0, and the blank Braille pattern U+2800), so `'\u{3164}'`
    /// cannot pass for an empty value; but not a variation selector, which picks the look of the
    /// visible character before it (an emoji's U+FE0F): see `strayVariationSelector`.
    public static func invisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: return true
        case .spaceSeparator: return scalar.value != 0x20
        default:
            if scalar.properties.isVariationSelector { return false }
            return scalar.value == 0x2800 || scalar.properties.isDefaultIgnorableCodePoint
        }
    }

    /// Whether `scalar` is a variation selector that shows as nothing (`W1\u{FE0F}` printed as
    /// `W1`, another id than the `W1` it reads as; `Wé\u{FE0F}` as `Wé`): all but those that
    /// may pick a look. U+FE0E and U+FE0F pick text or emoji style after an emoji beyond ASCII
    /// (`❤\u{FE0F}`, `⭐\u{FE0F}`, `⌚\u{FE0E}`: keyboards write them, and Unicode defines
    /// the pair for hundreds of emoji, those shown as emoji by default too), or in a keycap
    /// (`#\u{FE0F}\u{20E3}`); the others after a symbol or an ideograph (`≩\u{FE00}`,
    /// `葛\u{E0100}`). Without Unicode's tables of the defined sequences this is an
    /// approximation: `😀\u{FE0F}` and `∑\u{FE00}` are kept, `°\u{FE0F}` is escaped.
    static func strayVariationSelector(_ scalar: Unicode.Scalar, after shown: Unicode.Scalar?,
                                       before next: Unicode.Scalar? = nil) -> Bool {
        guard scalar.properties.isVariationSelector else { return false }
        guard let shown else { return true }
        let emojiStyle = scalar == "\u{FE0E}" || scalar == "\u{FE0F}"
        if shown.isASCII {
            // A keycap: `#`, `*` or a digit, U+FE0F (or U+FE0E), U+20E3.
            return !(emojiStyle && next == "\u{20E3}" && (shown == "#" || shown == "*" || ("0"..."9").contains(shown)))
        }
        let p = shown.properties
        if emojiStyle { return !p.isEmoji }
        let symbol = p.generalCategory == .mathSymbol || p.generalCategory == .otherSymbol
        return !(symbol || p.isIdeographic)
    }

    /// A path on a line of standard output that scripts read (`results: PATH`): exactly as given
    /// (tabs, backslashes and spaces included) unless it holds a character that would move or
    /// drive the terminal, which becomes `\u{..}` (a line break, ESC, a bidirectional override).
    public static func path(_ text: String) -> String {
        escaping(text) { $0 == "\t" ? "\t" : nil }
    }

    /// A message for stderr on one line, whatever a feed or a file name put into it: line
    /// breaks and tabs become spaces (no forged `labourmatch:` line), other control characters
    /// and bidirectional overrides `\u{..}`; backslashes stay (paths, `\copy`).
    public static func message(_ text: String) -> String {
        escaping(text, invisible: true) { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : nil }
    }
}
