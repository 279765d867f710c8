import CIBMadOracle
import MADWire
import Testing

@Suite struct NodeInfoTests {
    static let pairs: [OraclePair] = [
        OraclePair(IB_NODE_BASE_VERS_F, NodeInfo.Fields.baseVersion),
        OraclePair(IB_NODE_CLASS_VERS_F, NodeInfo.Fields.classVersion),
        OraclePair(IB_NODE_TYPE_F, NodeInfo.Fields.nodeType),
        OraclePair(IB_NODE_NPORTS_F, NodeInfo.Fields.numberOfPorts),
        OraclePair(IB_NODE_SYSTEM_GUID_F, NodeInfo.Fields.systemImageGUID),
        OraclePair(IB_NODE_GUID_F, NodeInfo.Fields.nodeGUID),
        OraclePair(IB_NODE_PORT_GUID_F, NodeInfo.Fields.portGUID),
        OraclePair(IB_NODE_PARTITION_CAP_F, NodeInfo.Fields.partitionCap),
        OraclePair(IB_NODE_DEVID_F, NodeInfo.Fields.deviceID),
        OraclePair(IB_NODE_REVISION_F, NodeInfo.Fields.revision),
        OraclePair(IB_NODE_LOCAL_PORT_F, NodeInfo.Fields.localPortNumber),
        OraclePair(IB_NODE_VENDORID_F, NodeInfo.Fields.vendorID),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(NodeInfo.self, pair)
    }

    @Test func truncatedInputNamesTheField() {
        let short = [UInt8](repeating: 0, count: 30)
        #expect(throws: MADWireError.truncated("NodeInfo", field: "DeviceID", needed: 32, available: 30)) {
            try NodeInfo(decoding: short)
        }
    }
}
