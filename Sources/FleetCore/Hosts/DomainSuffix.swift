/// The common domain of a set of hosts: the live view's and the web page's `fqdn=`, and what
/// they strip from host names to show them short.
public enum DomainSuffix {
    /// The longest run of domain labels every host ends with, with its leading dot; nil when a
    /// host has no dot or none is shared.
    public static func common(_ hosts: [String]) -> String? {
        guard let first = hosts.first, hosts.allSatisfy({ $0.contains(".") }) else { return nil }
        var common = Array(first.split(separator: ".", omittingEmptySubsequences: false).dropFirst().reversed())
        for h in hosts.dropFirst() where !common.isEmpty {
            let labels = Array(h.split(separator: ".", omittingEmptySubsequences: false).dropFirst().reversed())
            var n = 0
            while n < min(common.count, labels.count) && common[n] == labels[n] { n += 1 }
            common = Array(common.prefix(n))
        }
        return common.isEmpty ? nil : "." + common.reversed().joined(separator: ".")
    }
}
