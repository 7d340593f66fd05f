import Foundation

/// An error in words an operator can act on. Foundation's file errors print as
/// `Error Domain=NSCocoaErrorDomain Code=516 "…" UserInfo={…}`; this says what is wrong with
/// which path instead.
public enum ErrorText {
    public static func describe(_ error: any Error) -> String {
        let isFoundation = error is CocoaError || error is POSIXError || type(of: error as Any) is NSError.Type
        if !isFoundation { return String(describing: error) }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return ns.localizedDescription }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        var reason = phrase(code: ns.code, domain: ns.domain)
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if let path { return "\(path): \(reason ?? ns.localizedDescription)\(hint(path))" }
        return reason ?? ns.localizedDescription
    }

    static func phrase(code: Int, domain: String) -> String? {
        if domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(code))).lowercased() }
        switch CocoaError.Code(rawValue: code) {
        case .fileWriteFileExists: return "a file is in the way (a directory is needed there)"
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileReadCorruptFile: return "the file could not be read (corrupt or not what was expected)"
        case .fileReadInapplicableStringEncoding: return "the file is not UTF-8 text"
        default: return nil
        }
    }

    /// When a part of the path is a regular file, say which: that is the usual mistake
    /// (`--state-dir` given a file).
    static func hint(_ path: String) -> String {
        var prefix = URL(fileURLWithPath: path)
        while prefix.path != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix.path, isDirectory: &isDirectory) {
                return isDirectory.boolValue ? "" : " (\(prefix.path) is a file, not a directory)"
            }
            prefix.deleteLastPathComponent()
        }
        return ""
    }
}
