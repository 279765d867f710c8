@testable import Fabric
import Testing

/// ibnetdiscover --diff where ibsim cannot make the change (it has no console command for
/// a node description or a port count): the expected lines follow ibnetdiscover.c's
/// diff_iter_func and diff_ports. The changes ibsim can make (recabling, LIDs, links
/// down) are compared with the C tool in LinkInfoFabricTests+Diff.swift.
@Suite struct TopologyDiffTests {
    private func topology(_ text: String) throws -> Topology { try TopologyFile.parse(text) }

    private var sample: String { TopologyFileTests.sample }

    @Test func theSameTopologyHasNoDifferences() throws {
        let topology = try topology(sample)
        #expect(IBNetDiscoverText.diff(from: topology, to: topology, checks: .init(rawValue: 0x3F)) == "")
    }

    @Test func aChangedNodeDescriptionShowsBothDetailLinesAndTheLinksToIt() throws {
        let old = try topology(sample)
        let new = try topology(sample.replacingOccurrences(of: "# \"spine1\" base", with: "# \"spine-one\" base"))
        let spine = """

            vendid=0x2c9
            devid=0xcf09
            switchguid=0x2000000000000500(2000000000000500)
            < Switch\t2 "S-2000000000000500"\t\t# "spine1" base port 0 lid 9 lmc 2
            > Switch\t2 "S-2000000000000500"\t\t# "spine-one" base port 0 lid 9 lmc 2

            """
        #expect(IBNetDiscoverText.diff(from: old, to: new, checks: [.switches, .nodeDescriptions]) == spine)
        // With "port" too, leaf1's port 3 (the link to spine1) shows both ways; listing
        // order is reverse walk order from H1 (H1, leaf1, H2, spine1, router), so spine1 first.
        let leaf = """

            vendid=0x2c9
            devid=0xcf08
            sysimgguid=0x2000000000000400
            switchguid=0x2000000000000400(2000000000000400)
            Switch\t4 "S-2000000000000400"\t\t# "leaf1" enhanced port 0 lid 7 lmc 0
            < [3]\t"S-2000000000000500"[1]\t\t# "spine1" lid 9 4xQDR
            > [3]\t"S-2000000000000500"[1]\t\t# "spine-one" lid 9 4xQDR

            """
        #expect(IBNetDiscoverText.diff(from: old, to: new, checks: [.switches, .portConnections, .nodeDescriptions]) == spine + leaf)
        // Neither without "nodedesc" (the default checks).
        #expect(IBNetDiscoverText.diff(from: old, to: new) == "")
    }

    @Test func aChangedPortCountEndsTheNodesComparison() throws {
        let old = try topology(sample)
        let new = try topology(sample.replacingOccurrences(of: "Rt\t1 ", with: "Rt\t2 "))
        #expect(IBNetDiscoverText.diff(from: old, to: new, checks: [.routers, .portConnections]) == """

            vendid=0x2c9
            devid=0x1018
            rtguid=0x3000000000000010
            Rt\t1 "R-3000000000000010"\t\t# "router"
            < numports = 1
            > numports = 2

            """)
        // Only the node types asked for are compared.
        #expect(IBNetDiscoverText.diff(from: old, to: new, checks: [.switches, .channelAdapters, .portConnections]) == "")
    }

    @Test func diffCheckKeysParseInAnyCaseAndReplaceTheDefault() throws {
        #expect(try IBNetDiscoverText.DiffChecks(parsing: "sw,CA,,Router") == [.switches, .channelAdapters, .routers])
        #expect(try IBNetDiscoverText.DiffChecks(parsing: "port,lid,nodedesc") == [.portConnections, .lids, .nodeDescriptions])
        #expect(try IBNetDiscoverText.DiffChecks(parsing: "").isEmpty)
        #expect(IBNetDiscoverText.DiffChecks.default == [.switches, .channelAdapters, .routers, .portConnections])
        #expect(throws: IBNetDiscoverText.DiffChecks.InvalidKey.self) { try IBNetDiscoverText.DiffChecks(parsing: "sw,bogus") }
        do {
            _ = try IBNetDiscoverText.DiffChecks(parsing: "sw,bogus")
        } catch {
            #expect(error.description == "invalid diff check key: 'bogus' (expected a comma-separated list of sw, ca, router, port, lid, nodedesc)")
        }
    }
}
