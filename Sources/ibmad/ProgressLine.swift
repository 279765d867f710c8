import Fabric

#if canImport(Glibc)
import Glibc
#endif

/// A progress line on stderr for walks and sweeps that take longer than a second, only
/// when stderr is a terminal (never in a pipe or a log): redrawn five times a second and
/// erased before the command prints its result.
enum ProgressLine {
    static func around<T>(_ label: String, _ progress: SweepProgress, _ body: () async -> T) async -> T {
        guard isatty(STDERR_FILENO) != 0 else { return await body() }
        let ticker = Task {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            var shown = false
            while !Task.isCancelled {
                StandardError.emit("\r\u{1B}[K\(label): \(progress.nodes) nodes, \(progress.done)/\(progress.total) MADs")
                shown = true
                do { try await Task.sleep(for: .milliseconds(200)) } catch { break }
            }
            if shown { StandardError.emit("\r\u{1B}[K") }
        }
        let result = await body()
        ticker.cancel()
        await ticker.value
        return result
    }
}
