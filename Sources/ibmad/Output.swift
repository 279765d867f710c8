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
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(message: "cannot read \(path == "-" ? "stdin" : path): \(errorText())")
            }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
