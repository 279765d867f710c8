import CIBMadOracle
import MADWire
import Testing

@Suite struct NodeRecordTests {
    typealias F = NodeRecord.Fields

    // SA record fields: libibmad's offsets are relative to the record (base 0).
    static let pairs: [OraclePair] = [
        OraclePair(IB_SA_NR_LID_F, F.lid),
        OraclePair(IB_SA_NR_BASEVER_F, F.baseVersion),
        OraclePair(IB_SA_NR_CLASSVER_F, F.classVersion),
        OraclePair(IB_SA_NR_TYPE_F, F.nodeType),
        OraclePair(IB_SA_NR_NPORTS_F, F.numberOfPorts),
        OraclePair(IB_SA_NR_SYSTEM_GUID_F, F.systemImageGUID),
        OraclePair(IB_SA_NR_GUID_F, F.nodeGUID),
        OraclePair(IB_SA_NR_PORT_GUID_F, F.portGUID),
        OraclePair(IB_SA_NR_PARTITION_CAP_F, F.partitionCap),
        OraclePair(IB_SA_NR_DEVID_F, F.deviceID),
        OraclePair(IB_SA_NR_REVISION_F, F.revision),
        OraclePair(IB_SA_NR_LOCAL_PORT_F, F.localPortNumber),
        OraclePair(IB_SA_NR_VENDORID_F, F.vendorID),
        OraclePair(IB_SA_NR_NODEDESC_F, F.nodeDescription),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(NodeRecord.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [(IB_SA_NR_LID_F, IB_SA_NR_NODEDESC_F)])
    }

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(NodeRecord.layout)
        #expect(NodeRecord.layout.byteCount == Int(IB_SA_NR_RECSZ))
    }

    @Test func embedsNodeInfoAndNodeDescription() {
        SARecordChecks.expectEmbeds(NodeRecord.self, NodeInfo.self, at: 4, prefix: "NodeInfo",
                                    get: { $0.nodeInfo }, set: { $0.nodeInfo = $1 })
        SARecordChecks.expectEmbeds(NodeRecord.self, NodeDescription.self, at: 44, prefix: "NodeDescription",
                                    get: { $0.nodeDescription }, set: { $0.nodeDescription = $1 })
        var record = NodeRecord()
        record.nodeDescription = NodeDescription(text: "switch-1 ibsim")
        #expect(record.nodeDescription.text == "switch-1 ibsim")
    }

    /// Bit i is the i-th component: LID, Reserved, NodeInfo's 12, NodeDescription
    /// (opensm IB_NR_COMPMASK_LID 1<<0 ... IB_NR_COMPMASK_NODEDESC 1<<14).
    @Test func componentMaskFollowsTheTable() {
        typealias M = NodeRecord.ComponentMask
        SARecordChecks.expectMaskMatchesLayout(NodeRecord.layout, [
            (M.lid.rawValue, F.lid), (M.reserved.rawValue, F.reserved),
            (M.baseVersion.rawValue, F.baseVersion), (M.classVersion.rawValue, F.classVersion),
            (M.nodeType.rawValue, F.nodeType), (M.numberOfPorts.rawValue, F.numberOfPorts),
            (M.systemImageGUID.rawValue, F.systemImageGUID), (M.nodeGUID.rawValue, F.nodeGUID),
            (M.portGUID.rawValue, F.portGUID), (M.partitionCap.rawValue, F.partitionCap),
            (M.deviceID.rawValue, F.deviceID), (M.revision.rawValue, F.revision),
            (M.localPortNumber.rawValue, F.localPortNumber), (M.vendorID.rawValue, F.vendorID),
            (M.nodeDescription.rawValue, F.nodeDescription),
        ])
        #expect(M.nodeDescription.rawValue == 1 << 14)
    }
}
