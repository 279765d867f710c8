public import MADWire

/// What infiniband-diags' ibroute prints (infiniband-diags/ibroute.c, rdma-core 44), given
/// the responses it would have received. The CLI does the queries; this holds the text,
/// the LID-range arithmetic and dump_lid's state, quirks included.
public enum IBRouteText {
    public static let minMulticastLID = 0xC000  // IB_MIN_MCAST_LID
    public static let maxMulticastLID = 0xFFFE  // IB_MAX_MCAST_LID
    public static let maxUnicastLID = 0xBFFF  // IB_MAX_UCAST_LID
    /// LFT entries per block (IBA 14.2.5.10) and MFT MLIDs per block (IBA 14.2.5.12).
    public static let lidsPerBlock = 64, mlidsPerBlock = 32

    /// The unicast header: "Unicast lids [0x1-0x16] of switch Lid 3 guid 0x... (leaf1):"
    /// and the two column-title lines.
    public static func unicastHeader(start: Int32, end: Int32, destination: DiagsDestination, guid: UInt64, name: String) -> String {
        "Unicast lids [0x\(hex(start))-0x\(hex(end))] of switch \(destination) guid 0x\(DumpValue.hex(guid, digits: 16)) (\(name)):\n"
            + "  Lid  Out   Destination\n       Port     Info \n"
    }

    /// One LFT row: "0x0001 001 : (Channel Adapter ...)" ("0x0001 001 " with -n).
    public static func unicastRow(lid: Int, port: UInt8, info: String) -> String {
        "0x\(DumpValue.hex(UInt64(lid), digits: 4)) \(pad(Int(port), 3)) \(info)\n"
    }

    /// "22 valid lids dumped " (with -a: "23 lids dumped "); the trailing space is ibroute's.
    public static func footer(count: Int, all: Bool, multicast: Bool) -> String {
        "\(count) \(all ? "" : "valid ")\(multicast ? "mlids" : "lids") dumped \n"
    }

    /// The multicast header and column titles; `brief` is -n.
    public static func multicastHeader(start: Int, end: Int, destination: DiagsDestination, guid: UInt64, name: String,
                                       ports: Int, brief: Bool) -> String {
        var text = "Multicast mlids [0x\(String(start, radix: 16))-0x\(String(end, radix: 16))] of switch \(destination) guid 0x"
            + DumpValue.hex(guid, digits: 16) + " (\(name)):\n"
        if brief { return text + " MLid       Port Mask\n" }
        if ports > 9 {
            // Tens digits over the port columns; C adds i / 10 to '0' (past '9' above port 99).
            text += "            " + (0...ports).map { i in
                (i % 10 != 0 ? " " : String(UnicodeScalar(UInt8(truncatingIfNeeded: 48 + i / 10)))) + " "
            }.joined() + "\n"
        }
        return text + "     Ports: " + (0...ports).map { "\($0 % 10) " }.joined() + "\n MLid\n"
    }

    /// dump_mlid's text for one MLID, or nil when no chunk has a port set and not -a.
    /// `masks` are the MFT port masks of this MLID, one per 16-port chunk.
    public static func multicastRow(mlid: Int, masks: [UInt16], ports: Int, brief: Bool, all: Bool) -> String? {
        var text = ""
        var nonzero = false
        if brief {
            for mask in masks.prefix((ports + 1 + 15) / 16) {
                if mask != 0 { nonzero = true }
                text += DumpValue.hex(UInt64(mask), digits: 4)
            }
        } else {
            for port in 0...ports {
                let mask = masks[port / 16]
                if mask != 0 { nonzero = true }
                text += (mask & (1 << (port % 16)) != 0 ? "x" : " ") + " "
            }
        }
        guard nonzero || all else { return nil }
        return "0x\(DumpValue.hex(UInt64(mlid), digits: 4))      \(text)\n"
    }

    /// "Switch multicast mlid capability is 1024 top is 0x0" (-v).
    public static func multicastCapability(cap: Int, top: Int) -> String {
        "Switch multicast mlid capability is \(cap) top is 0x\(String(top, radix: 16))\n"
    }

    /// printf("%x") of a C int.
    static func hex(_ value: Int32) -> String { String(UInt32(bitPattern: value), radix: 16) }

    /// printf("%03u").
    public static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// The destination a LID leads to, from its NodeInfo, PortInfo (port 0) and
    /// NodeDescription, as dump_lid reads them.
    public struct Destination: Sendable {
        public var nodeType: NodeType
        public var portGUID: UInt64
        public var baseLID: Int
        public var lmc: Int
        public var name: String

        public init(nodeType: NodeType, portGUID: UInt64, baseLID: Int, lmc: Int, name: String) {
            self.nodeType = nodeType
            self.portGUID = portGUID
            self.baseLID = baseLID
            self.lmc = lmc
            self.name = name
        }
    }

    /// dump_lid's static state: the LID range of the last port with LMC > 0 and its GUID,
    /// so the other LIDs of that port print "(path #2 out of 4 ...)" without a query.
    /// libibmad quirk kept: the range starts as [0, 0], so LID 0 (shown with -a or from
    /// start LID 0) prints "(path #0 - illegal port)" or "(path #1 out of 1)".
    public struct DestinationState: Sendable {
        var lastPortLID = 0, basePortLID = 0
        var portGUID: UInt64 = 0

        public init() {}

        /// The info text when it needs no query (a LID inside the last LMC range, or an
        /// invalid out port); nil when the caller must query the LID and call `resolved`.
        public func known(lid: Int, valid: Bool) -> String? {
            if lid <= lastPortLID {
                if !valid { return ": (path #\(lid - basePortLID) - illegal port)" }
                let count = lastPortLID - basePortLID + 1
                if portGUID == 0 { return ": (path #\(lid - basePortLID + 1) out of \(count))" }
                return ": (path #\(lid - basePortLID + 1) out of \(count): portguid 0x\(DumpValue.hex(portGUID, digits: 16)))"
            }
            return valid ? nil : ": (illegal port)"
        }

        /// The info text for a queried LID (`destination` nil when a query failed).
        public mutating func resolved(_ destination: Destination?) -> String {
            portGUID = 0
            guard let destination else { return ": (unknown node and type)" }
            portGUID = destination.portGUID
            if destination.lmc > 0 {
                basePortLID = destination.baseLID
                lastPortLID = destination.baseLID + (1 << destination.lmc) - 1
            }
            return ": (\(DumpStyle.nodeType.text(UInt64(destination.nodeType.rawValue), bits: 8)) portguid 0x"
                + DumpValue.hex(destination.portGUID, digits: 16) + ": '\(destination.name)')"
        }
    }
}
