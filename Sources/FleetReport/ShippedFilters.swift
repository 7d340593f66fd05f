/// The named filters this repository ships in `configs/filters/`, built in so a server or an
/// installed binary has them wherever it runs (the CLI reads `./configs/filters` of the current
/// directory). A test keeps the two the same.
extension NamedFilters {
    /// The `path` of a shipped filter.
    public static let builtInPath = "(built in)"

    public static let shipped: [NamedFilter] = [
        NamedFilter(name: "linux-moonshots", query: "host~linux64-ms", description: "Linux moonshots by host", path: builtInPath),
        NamedFilter(name: "linux-netperf", query: "os=L role~netperf sort:role", description: "Linux netperf workers", path: builtInPath),
        NamedFilter(name: "linux-overrides", query: "ovr_bch!= os=L sort:ovr_bch,role:desc,host:asc", description: "Linux workers with an override", path: builtInPath),
        NamedFilter(name: "linux-talos", query: "os=L role~talos sort:role", description: "Linux talos workers", path: builtInPath),
        NamedFilter(name: "linux", query: "os=L sort:role:desc,host:asc", description: "Linux workers", path: builtInPath),
        NamedFilter(name: "mac", query: "os=M sort:role:desc,host:asc", description: "Mac workers", path: builtInPath),
        NamedFilter(name: "moonshots-hung", query: "host~t-linux64-ms tc_act>4h data>4h note= sort:host:asc", description: "find hung moonshot workers", path: builtInPath),
        NamedFilter(name: "not-applied", query: "applied=n sort:host", description: "Hosts where puppet has not applied the override or vault on disk", path: builtInPath),
        NamedFilter(name: "quarantined", query: "tc_quar=yes sort:tc_act:desc", description: "Quarantined workers", path: builtInPath),
        NamedFilter(name: "unhealthy-stale", query: "healthy=n pp_last>20h sort:pp_last:desc", description: "Unhealthy hosts whose puppet has not run for 20h", path: builtInPath),
        NamedFilter(name: "unreachable", query: "status!=ok sort:status,host", description: "Hosts whose latest gather failed", path: builtInPath),
        NamedFilter(name: "win", query: "os=W sort:role:desc,host:asc", description: "Windows workers", path: builtInPath),
    ]

    /// `<state>/filters` first (the operator's own win over a shipped one of the same name),
    /// then the shipped ones, by name.
    public static func served(stateFilters directory: String) -> [NamedFilter] {
        let own = load(from: [directory])
        let names = Set(own.map(\.name))
        return (own + shipped.filter { !names.contains($0.name) }).sorted { $0.name < $1.name }
    }
}
