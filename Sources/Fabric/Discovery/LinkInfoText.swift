import MADWire

/// iblinkinfo's text (infiniband-diags iblinkinfo.c, with ibdiag_common.c's get_max_msg)
/// for a `Topology`: every port of every node with its link's width, speed and states and
/// what is at the other end, plus "Could be ..." when both ends support more.
public enum LinkInfoText {
    public struct Options: Sendable {
        /// -l: one line per port, with both GUIDs and the node's name.
        public var lineMode = false
        /// -d: down ports only.
        public var downOnly = false
        /// -p: HOQ life and VL stall count of up ports.
        public var switchSettings = false
        public var switches = true, channelAdapters = true
        public init() {}
    }

    public static func text(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap(), options: Options = Options()) -> String {
        var out = ""
        for node in topology.canonicalOrder().reversed().compactMap({ topology.nodes[$0] }) {
            if node.isSwitch ? !options.switches : !options.channelAdapters { continue }
            var header = false
            for number in 1...max(1, Int(node.info.numberOfPorts)) {
                guard let port = node.ports[UInt8(number)] else { continue }
                if options.downOnly && port.info.portState != .down { continue }
                if !header && !options.lineMode {
                    let name = nodeNames.name(for: node.guid, nodeDescription: node.description)
                    out += node.isSwitch ? "Switch: 0x\(hex16(node.ports[0]?.guid ?? node.info.portGUID)) \(name):\n"
                        : "\(typeName(node)): \(name):\n"
                    header = true
                }
                out += line(node, port, topology, nodeNames, options)
            }
        }
        return out
    }

    private static func line(_ node: Topology.Node, _ port: Topology.Port, _ topology: Topology,
                             _ names: NodeNameMap, _ options: Options) -> String {
        let info = port.info
        let capabilities = node.isSwitch ? node.ports[0]?.info.capabilityMask : info.capabilityMask
        let extended = capabilities?.contains(.isExtendedSpeedsSupported) == true ? Int(info.linkSpeedExtActive.rawValue) : 0
        let speed = capabilities == nil ? 0 : Int(info.linkSpeedActive.rawValue)
        let width = capabilities == nil ? 0 : Int(info.linkWidthActive.rawValue)
        let state = DumpStyle.portState.text(UInt64(info.portState.rawValue), bits: 4)
        let physical = DumpStyle.physPortState.text(UInt64(info.portPhysicalState.rawValue), bits: 4)
        var link: String
        if info.portState != .down {
            let speedText = extended != 0 ? DumpStyle.linkSpeedExt.text(UInt64(extended), bits: 4)
                : DumpStyle.linkSpeed.text(UInt64(speed), bits: 4)
            link = "(\(pad(DumpStyle.linkWidth.text(UInt64(width), bits: 8), 3)) \(pad(speedText, 18)) \(pad(state, 6))/\(pad(physical, 8)))"
            if options.switchSettings { link += " (HOQ:\(info.hoqLife) VL_Stall:\(info.vlStallCount))" }
        } else {
            link = "(              \(pad(state, 6))/\(pad(physical, 8)))"
        }
        var remoteText: String
        if let remote = port.remote, let far = topology.nodes[remote.node], let farPort = far.ports[remote.port] {
            let (widthMessage, speedMessage) = couldBe(node, port, far, farPort)
            let farLID = farPort.info.lid != 0 ? farPort.info.lid : far.lid
            remoteText = (options.lineMode ? "0x\(hex16(farPort.guid)) " : "")
                + "\(pad(String(farLID), 6)) \(pad(String(remote.port), 4))[  ] \"\(names.name(for: far.guid, nodeDescription: far.description))\" (\(widthMessage) \(speedMessage))\n"
        } else {
            remoteText = info.portState == .down ? "           [  ] \"\" ( )\n" : "    \"Port not available\"\n"
        }
        var out = ""
        if options.lineMode {
            out += "0x\(hex16(port.guid)) \"\(pad(names.name(for: node.guid, nodeDescription: node.description), 30))\" "
        } else {
            out += "      "
            if !node.isSwitch { out += "0x\(hex16(port.guid)) " }
        }
        let lid = node.isSwitch ? node.lid : info.lid
        return out + "\(pad(String(lid), 6)) \(pad(String(port.number), 4))[  ] ==\(link)==>  \(remoteText)"
    }

    /// get_max_msg: the widest width and fastest speed both ends support, when the link
    /// is not at them.
    private static func couldBe(_ node: Topology.Node, _ port: Topology.Port,
                                _ far: Topology.Node, _ farPort: Topology.Port) -> (String, String) {
        var widthMessage = "", speedMessage = ""
        let widths = Int(port.info.linkWidthSupported.rawValue & farPort.info.linkWidthSupported.rawValue)
        let maxWidth = widths & 8 != 0 ? 8 : widths & 4 != 0 ? 4 : widths & 2 != 0 ? 2 : widths & 0x10 != 0 ? 16 : 1
        if maxWidth & Int(port.info.linkWidthActive.rawValue) == 0 {
            widthMessage = "Could be " + DumpStyle.linkWidth.text(UInt64(maxWidth), bits: 8)
        }
        let capabilities = (node.isSwitch ? node.ports[0]?.info.capabilityMask : port.info.capabilityMask) ?? []
        let farCapabilities = (far.isSwitch ? far.ports[0]?.info.capabilityMask : farPort.info.capabilityMask) ?? []
        let bothExtended = capabilities.contains(.isExtendedSpeedsSupported) && farCapabilities.contains(.isExtendedSpeedsSupported)
        if bothExtended, port.info.linkSpeedExtSupported.rawValue != 0, farPort.info.linkSpeedExtSupported.rawValue != 0 {
            let best = highestBit(Int(port.info.linkSpeedExtSupported.rawValue & farPort.info.linkSpeedExtSupported.rawValue))
            if best & Int(port.info.linkSpeedExtActive.rawValue) == 0 {
                speedMessage = "Could be " + DumpStyle.linkSpeedExt.text(UInt64(best), bits: 4)
            }
        } else {
            // FDR10 (a Mellanox extension) is never reported here.
            let best = highestBit(Int(port.info.linkSpeedSupported.rawValue & farPort.info.linkSpeedSupported.rawValue))
            if best & Int(port.info.linkSpeedActive.rawValue) == 0 {
                speedMessage = "Could be " + DumpStyle.linkSpeed.text(UInt64(best), bits: 4)
            }
        }
        return (widthMessage, speedMessage)
    }

    /// get_max: the highest set bit (1 for 0).
    private static func highestBit(_ value: Int) -> Int {
        var bit = 0, rest = value
        while rest > 1 { rest >>= 1; bit += 1 }
        return 1 << bit
    }

    private static func typeName(_ node: Topology.Node) -> String {
        switch node.info.nodeType {
        case .switch: "Switch"
        case .channelAdapter: "CA"
        case .router: "Router"
        default: "??"
        }
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
