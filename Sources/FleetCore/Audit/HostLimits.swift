/// How much fleetroll accepts from a host, per file and per field. A host controls every byte it
/// sends, so nothing it returns is kept in memory, stored or shown beyond these sizes: what
/// exceeds them fails the gather with the error class `oversized`, and none of it is kept.
public enum HostLimits {
    /// Override files and vault.yaml: the same limit as for the files fleetroll sends.
    public static let managedFileBytes = 16 << 20
    /// The puppet state file (last_run_metadata.json, 14 short keys) and the puppet summaries.
    public static let stateFileBytes = 16 << 10
    /// The role file holds one word.
    public static let roleBytes = 256
    /// Any other value: a host name, the OS name, an owner, a message.
    public static let textFieldBytes = 1024
    /// What fleetroll buffers of one ssh session's stdout: the two managed files in base64, plus
    /// room for everything else. A session that sends more is ended.
    public static let sessionOutputBytes = 2 * base64Length(managedFileBytes + 4096) + (1 << 20)
    /// What is kept of one session's stderr (the rest is dropped, the session goes on).
    public static let sessionErrorBytes = 64 << 10

    /// The length of `bytes` bytes in base64.
    public static func base64Length(_ bytes: Int) -> Int { 4 * ((bytes + 2) / 3) }

    /// The longest value accepted for a protocol key: base64 of a file for the content keys,
    /// `textFieldBytes` for anything else.
    public static func valueLimit(forKey key: String) -> Int {
        switch key {
        case "OVERRIDE_CONTENT_B64", "VLT_CONTENT_B64": return base64Length(managedFileBytes)
        case "PP_STATE_JSON": return base64Length(stateFileBytes)
        case "ROLE": return roleBytes
        default: return textFieldBytes
        }
    }
}

/// What is at one of the paths fleetroll reads or writes on a host. Only a regular file is ever
/// read or changed; anything else is reported as what it is, never followed or opened.
public enum HostFileKind: String, Codable, Sendable, CaseIterable {
    case missing, file, symlink, directory, fifo, device, socket, other

    /// Something is at the path.
    public var exists: Bool { self != .missing }

    /// Words for messages: "a symbolic link".
    public var phrase: String {
        switch self {
        case .missing: return "nothing"
        case .file: return "a regular file"
        case .symlink: return "a symbolic link"
        case .directory: return "a directory"
        case .fifo: return "a named pipe"
        case .device: return "a device"
        case .socket: return "a socket"
        case .other: return "something that is not a regular file"
        }
    }
}
