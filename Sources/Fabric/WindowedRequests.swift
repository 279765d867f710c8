import MADAgents
import MADTransport
public import MADWire
import Synchronization

extension MADAgent {
    /// Sends every request through the bulk sweep (one window, nothing allocated per MAD
    /// in the agent) and returns each answer in order; nil where none came after the
    /// retries or its status was not 0. Losses the transport reports at once are resent as
    /// discovery resends them (`Discovery.Options.defaultQuickRetries`).
    func windowed(_ requests: [(MAD, MADAddress)], options: RequestOptions, progress: SweepProgress? = nil) async -> [MAD?] {
        guard !requests.isEmpty else { return [] }
        var options = options
        options.quickRetries = max(options.quickRetries, Discovery.Options.defaultQuickRetries)
        // The agent judges the status (a directed-route SMP's without its D bit, after
        // checking the returned path) and makes a non-zero one a failure.
        options.throwsOnErrorStatus = true
        let results = ResultBox(count: requests.count)
        progress?.queue(requests.count)
        await sweep(count: requests.count, options: options, request: { requests[$0] }) { item, outcome in
            if case .response(let mad) = outcome { results.store(mad, at: item) }
            progress?.finish(1)
        }
        return results.values
    }

    /// PerfMgt Gets with PortSelect set (as libibmad's pma_query_via does for every
    /// attribute), in one window.
    func performanceGets(_ requests: [(lid: UInt16, port: UInt8, attribute: AttributeID)], options: RequestOptions,
                         progress: SweepProgress? = nil) async -> [MAD?] {
        await windowed(requests.map { request in
            (PMARequest.get(request.attribute, port: request.port), MADAddress.generalServices(lid: request.lid))
        }, options: options, progress: progress)
    }
}

/// Sweep results written from the agent's threads.
final class ResultBox: Sendable {
    private let storage: Mutex<[MAD?]>
    init(count: Int) { storage = Mutex([MAD?](repeating: nil, count: count)) }
    func store(_ mad: MAD, at index: Int) { storage.withLock { $0[index] = mad } }
    var values: [MAD?] { storage.withLock { $0 } }
}

/// The PMA query libibmad's pma_query_via sends for every attribute: a PerfMgt Get with
/// PortSelect (byte 1 of the data, which starts at byte 64 after the GMP header's 40
/// reserved bytes, IBA 16.1.1) set to the port.
public enum PMARequest {
    public static func get(_ attribute: AttributeID, port: UInt8) -> MAD {
        var mad = MAD(class: .performance, classVersion: 1, method: .get, attribute: attribute)
        mad[Field("PortSelect", byte: 64 + 1, width: 8)] = UInt64(port)
        return mad
    }
}
