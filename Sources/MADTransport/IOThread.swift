#if canImport(Glibc)
package import Glibc
#endif

/// What the thread helpers report when a system call fails; each caller maps it to its
/// own error (a port's `.system(call:errno:)`).
package struct SystemCallFailure: Error {
    package let call: String
    package let errno: Int32
}

/// The pipe that wakes a port's I/O thread (UmadIOLoop, VerbsIOLoop): the thread polls
/// `readFD` beside its device fd, and `wake()` makes that poll() return so a stop request
/// is seen at once. Both ends are non-blocking and close-on-exec (a spawned tool must
/// not inherit them).
struct WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() throws(SystemCallFailure) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SystemCallFailure(call: "pipe", errno: errno) }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        readFD = ends[0]
        writeFD = ends[1]
    }

    func wake() {
        var one: UInt8 = 1
        _ = write(writeFD, &one, 1)
    }

    func close() {
        Glibc.close(readFD)
        Glibc.close(writeFD)
    }
}

/// Runs `body` on a new pthread, which holds `body` (and so what it captures) until it
/// returns; the thread's handle, or pthread_create's error. Every long-lived thread of the
/// stack starts here: the ports' I/O threads, the memory fabric's port loops and the
/// agents' timer threads.
package func startThread(_ body: @escaping @Sendable () -> Void) throws(SystemCallFailure) -> pthread_t {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var handle = pthread_t()
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    let rc = pthread_create(&handle, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    guard rc == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw SystemCallFailure(call: "pthread_create", errno: rc)
    }
    return handle
}
