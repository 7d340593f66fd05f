/// Sorts a failed ssh run into an `ErrorClass` from its exit code and stderr.
public enum FailureClassifier {
    static let timeoutPhrases = ["during banner exchange"]
    static let unreachablePhrases = [
        "Connection refused", "No route to host", "Network is unreachable", "Could not resolve hostname",
        "Name or service not known", "Temporary failure in name resolution", "Connection timed out",
        "Operation timed out", "Connection reset by peer", "Connection closed by", "kex_exchange_identification",
        "connection closed", "Broken pipe",
    ]
    static let authPhrases = [
        "Permission denied", "Host key verification failed", "Too many authentication failures",
        "REMOTE HOST IDENTIFICATION HAS CHANGED", "no matching host key type", "Authentication failed",
    ]

    /// `timedOut` is true when fleetroll's own wall-clock limit ended the run.
    public static func classify(exitCode: Int32, stderr: String, timedOut: Bool) -> ErrorClass {
        if timedOut { return .timeout }
        // Only ssh's own failures exit 255; any other status is the remote command's, and its
        // stderr may say "Permission denied" about a file, not about the login.
        guard exitCode == 255 else { return .remote }
        if timeoutPhrases.contains(where: stderr.contains) { return .timeout }
        if authPhrases.contains(where: stderr.contains) { return .auth }
        if unreachablePhrases.contains(where: stderr.contains) { return .unreachable }
        return .ssh
    }

    /// Connection failures are worth one more try: a host may be rebooting or sshd busy.
    public static func isRetryable(_ errorClass: ErrorClass) -> Bool { errorClass == .unreachable }
}
