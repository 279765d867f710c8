#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to stderr for messages (stdout goes through `print`).
enum StandardError {
    static func emit(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Whole-file reads with open/read (no Foundation on the CLI's path).
enum FileReader {
    struct Failure: Error { let message: String }

    /// Reads `path`, or stdin for "-".
    static func contents(of path: String) throws(Failure) -> [UInt8] {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(message: "cannot open \(path): \(errorText())") }
        defer { if fd != 0 { close(fd) } }
        // A regular file is read into one buffer of its size (a topology cache of a 10k-node
        // fabric is megabytes); a pipe or a file that grew is read on in 64 KiB steps.
        var status = stat()
        let expected = fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : 0
        var bytes = [UInt8](repeating: 0, count: max(expected + 1, 65536))  // + 1: EOF without growing
        var filled = 0
        while true {
            if filled == bytes.count { bytes += [UInt8](repeating: 0, count: 65536) }
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(message: "cannot read \(path == "-" ? "stdin" : path): \(errorText())")
            }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Whole-file writes with open/write (no Foundation on the CLI's path).
enum FileWriter {
    /// Creates or truncates `path` (mode 0644) and writes `text`.
    static func write(_ text: String, to path: String) throws(FileReader.Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileReader.Failure(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var text = text
        let failure: Int32? = text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw FileReader.Failure(message: "cannot write \(path): \(String(cString: strerror(failure)))") }
    }
}
