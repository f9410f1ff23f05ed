extension MatchingEngine {
    /// The engine's version, recorded with every stored run. Raise it with any
    /// change that can alter a result, so a verification knows what computed what.
    public static let version = "labourmatch-engine/1"
}
