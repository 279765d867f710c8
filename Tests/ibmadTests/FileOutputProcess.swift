import Foundation  // tests only: Process, files

/// A child process with its stdout and stderr in files, started with no signal blocked.
///
/// Files, not pipes: ibsim and opensm (started by scripts/with-fabric) inherit stdout, so a
/// pipe would reach end of file only once they are gone. No signal blocked: swift-testing's
/// threads block SIGTERM and a child inherits the mask, so ibsim, opensm or an ibping
/// server would ignore the TERM that stops it (fabric_stop would wait 2 s, then KILL).
final class FileOutputProcess {
    let process = Process()
    let output: URL
    let errors: URL

    init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws {
        let directory = try TemporaryFiles.directory()
        output = directory.appendingPathComponent("child-stdout-\(UUID().uuidString)")
        errors = directory.appendingPathComponent("child-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        var none = sigset_t(), saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// SIGTERM if still running, then `finish()`.
    func stop() throws -> IBMadBinary.Result {
        if process.isRunning { process.terminate() }
        return try finish()
    }

    /// Waits for the end; the exit status and output, the files removed.
    func finish() throws -> IBMadBinary.Result {
        process.waitUntilExit()
        defer { for file in [output, errors] { try? FileManager.default.removeItem(at: file) } }
        return IBMadBinary.Result(status: process.terminationStatus,
                                  stdout: try String(contentsOf: output, encoding: .utf8),
                                  stderr: try String(contentsOf: errors, encoding: .utf8))
    }
}
