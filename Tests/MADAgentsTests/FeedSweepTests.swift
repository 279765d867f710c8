import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

/// A feed that grows as answers arrive, like a discovery walk: every answered request
/// asks `fanOut` more until `total` have been asked; it records what it saw.
private final class GrowingFeed: RequestFeed, Sendable {
    struct State {
        var asked = 0
        var ready = 1
        var outcomes: [Int: RequestOutcome] = [:]
        var completionsAfterReturn = 0
    }
    let total: Int
    let fanOut: Int
    let state = Mutex(State())
    let returned = Atomic(false)

    init(total: Int, fanOut: Int) {
        self.total = total
        self.fanOut = fanOut
    }

    func nextRequest() -> FeedRequest? {
        let tag: Int? = state.withLock { state in
            guard state.ready > 0, state.asked < total else { return nil }
            state.ready -= 1
            state.asked += 1
            return state.asked - 1
        }
        guard let tag else { return nil }
        let (mad, destination) = nodeInfoRequest(tag % 2 == 0 ? 2 : 3)
        return FeedRequest(tag: tag, mad: mad, destination: destination)
    }

    func complete(_ tag: Int, _ outcome: RequestOutcome) {
        let late = returned.load(ordering: .acquiring)
        state.withLock { state in
            #expect(state.outcomes[tag] == nil, "tag \(tag) reported twice")
            state.outcomes[tag] = outcome
            if late { state.completionsAfterReturn += 1 }
            if case .response = outcome { state.ready += fanOut }
        }
    }
}

@Suite struct FeedSweepTests {
    @Test(arguments: bothModes)
    func aGrowingFeedIsAskedUntilItIsDoneAndEveryOutcomeComesBeforeReturn(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, window: 32)
        defer { rig.close() }
        let feed = GrowingFeed(total: 3000, fanOut: 3)
        await rig.agent.sweep(feed: feed, limit: 8)
        feed.returned.store(true, ordering: .releasing)
        let state = feed.state.withLock { $0 }
        #expect(state.asked == 3000)
        #expect(state.outcomes.count == 3000)
        #expect(state.completionsAfterReturn == 0)
        for (tag, outcome) in state.outcomes {
            guard case .response(let mad) = outcome else {
                Issue.record("request \(tag): \(outcome)")
                continue
            }
            #expect(try mad.attribute(NodeInfo.self).nodeGUID == switchGUID(tag % 2 == 0 ? 2 : 3))
        }
        // The run's limit, not the agent's window of 32, bounds what is outstanding.
        #expect(rig.agent.statistics.maxOutstanding == 8)
        #expect(rig.agent.statistics.outstanding == 0)
    }

    @Test func aFeedThatStartsEmptyReturnsAtOnce() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        let feed = GrowingFeed(total: 0, fanOut: 1)
        await rig.agent.sweep(feed: feed)
        #expect(feed.state.withLock { $0.outcomes.isEmpty })
        #expect(rig.agent.statistics.sent == 0)
    }

    @Test func aFeedRunsBesideSingleRequestsThatHoldTheWindow() async throws {
        // Window 2: single requests compete for the entries the feed needs; the feed's
        // ready request must wait for an entry (parked), not end the sweep early.
        let rig = try AgentRig(window: 2)
        defer { rig.close() }
        let feed = GrowingFeed(total: 400, fanOut: 1)
        async let singles: Int = {
            var answered = 0
            for index in 0..<200 {
                let (mad, destination) = nodeInfoRequest(index % 2 == 0 ? 2 : 3)
                if (try? await rig.agent.request(mad, to: destination)) != nil { answered += 1 }
            }
            return answered
        }()
        await rig.agent.sweep(feed: feed)
        feed.returned.store(true, ordering: .releasing)
        #expect(await singles == 200)
        let state = feed.state.withLock { $0 }
        #expect(state.outcomes.count == 400)
        #expect(state.completionsAfterReturn == 0)
        #expect(state.outcomes.values.allSatisfy { if case .response = $0 { true } else { false } })
    }

    @Test(arguments: bothModes)
    func aSweepRightAfterAnotherWaitsForTheEntryTheFirstStillHolds(matching: Bool) async throws {
        // Window 1: the first sweep's caller resumes before its last entry is recycled, so
        // the next sweep finds no free entry. It must wait for it, not end unasked (every
        // PMA query of `ibqueryerrors -o 1` after discovery failed that way).
        let rig = try AgentRig(matching: matching, window: 1)
        defer { rig.close() }
        for round in 0..<200 {
            let answered = Atomic(0)
            await rig.agent.sweep(count: 3, request: { _ in nodeInfoRequest(2) }) { _, outcome in
                if case .response = outcome { answered.add(1, ordering: .relaxed) }
            }
            let count = answered.load(ordering: .relaxed)
            #expect(count == 3, "round \(round): \(count) of 3 answered")
            if count != 3 { break }
        }
    }

    @Test func aSweepOnAClosedAgentReportsEveryRequestClosedAndReturns() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        rig.agent.close()
        let feed = LIDFeed(count: 5, lid: 2)
        await rig.agent.sweep(feed: feed)
        let outcomes = feed.outcomes.withLock { $0 }
        #expect(outcomes.count == 5)
        #expect(outcomes.values.allSatisfy { if case .failure(.closed) = $0 { true } else { false } })
        #expect(rig.agent.statistics.sent == 0)
    }

    @Test func closingTheAgentEndsAFeedSweepWithEveryRequestReportedClosed() async throws {
        let rig = try AgentRig(window: 4)
        defer { rig.close() }
        // Nothing answers LID 9: requests stay outstanding until the agent closes.
        let feed = LIDFeed(count: 50, lid: 9)
        let sweep = Task { await rig.agent.sweep(feed: feed, options: RequestOptions(timeoutMilliseconds: 60_000, retries: 0)) }
        while rig.agent.statistics.outstanding < 4 { await Task.yield() }
        rig.agent.close()
        await sweep.value
        let outcomes = feed.outcomes.withLock { $0 }
        #expect(outcomes.count == 50)
        #expect(outcomes.values.allSatisfy { if case .failure(.closed) = $0 { true } else { false } })
    }
}

/// `count` NodeInfo requests to one LID; outcomes recorded by tag.
private final class LIDFeed: RequestFeed, Sendable {
    let count: Int
    let lid: UInt16
    let next = Mutex(0)
    let outcomes = Mutex([Int: RequestOutcome]())
    init(count: Int, lid: UInt16) {
        self.count = count
        self.lid = lid
    }
    func nextRequest() -> FeedRequest? {
        let tag: Int? = next.withLock { next in
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
        guard let tag else { return nil }
        let (mad, destination) = nodeInfoRequest(lid)
        return FeedRequest(tag: tag, mad: mad, destination: destination)
    }
    func complete(_ tag: Int, _ outcome: RequestOutcome) {
        outcomes.withLock { $0[tag] = outcome }
    }
}
