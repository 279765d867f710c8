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
        /// -S/-G/-D without -a: this node only (by node GUID).
        public var node: UInt64?
        /// --filterdownports: a down port is not shown when it was down in this earlier
        /// topology too (filterdownport_check). Read from an ibnetdiscover text file, which
        /// lists only cabled ports: a switch port it does not list was down; a channel
        /// adapter's unlisted port is unknown (libibnetdisc holds only the port it met).
        public var knownDown: Topology?
        public init() {}
    }

    public static func text(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap(), options: Options = Options()) -> String {
        var out = TextOutput(capacity: topology.nodes.values.reduce(256) { $0 + 100 + 160 * $1.ports.count })
        for node in topology.canonicalOrder().reversed().compactMap({ topology.nodes[$0] }) {
            if node.isSwitch ? !options.switches : !options.channelAdapters { continue }
            if let only = options.node, node.guid != only { continue }
            var header = false
            for number in 1...max(1, Int(node.info.numberOfPorts)) {
                guard let port = node.ports[UInt8(number)] else { continue }
                if options.downOnly && port.info.portState != .down { continue }
                if !header && !options.lineMode {
                    if node.isSwitch {
                        out.append("Switch: 0x")
                        out.hex(node.ports[0]?.guid ?? node.info.portGUID, digits: 16)
                        out.append(" ")
                    } else {
                        out.append(typeName(node))
                        out.append(": ")
                    }
                    out.name(for: node.guid, nodeDescription: node.description, in: nodeNames)
                    out.append(":\n")
                    header = true
                }
                // print_port drops it after print_node_header: the header stays.
                if port.info.portState == .down, let earlier = options.knownDown, wasDown(node, port, in: earlier) { continue }
                line(node, port, topology, nodeNames, options, &out)
            }
        }
        return out.text
    }

    private static func line(_ node: Topology.Node, _ port: Topology.Port, _ topology: Topology,
                             _ names: NodeNameMap, _ options: Options, _ out: inout TextOutput) {
        if options.lineMode {
            out.append("0x")
            out.hex(port.guid, digits: 16)
            out.append(" \"")
            out.append(text: names.name(for: node.guid, nodeDescription: node.description), width: 30)
            out.append("\" ")
        } else {
            out.append("      ")
            if !node.isSwitch {
                out.append("0x")
                out.hex(port.guid, digits: 16)
                out.append(" ")
            }
        }
        let info = port.info
        out.decimal(node.isSwitch ? node.lid : info.lid, width: 6)
        out.append(" ")
        out.decimal(port.number, width: 4)
        out.append("[  ] ==(")
        let capabilities = node.isSwitch ? node.ports[0]?.info.capabilityMask : info.capabilityMask
        let state = DumpStyle.portState.text(UInt64(info.portState.rawValue), bits: 4)
        let physical = DumpStyle.physPortState.text(UInt64(info.portPhysicalState.rawValue), bits: 4)
        if info.portState != .down {
            let extended = capabilities?.contains(.isExtendedSpeedsSupported) == true ? UInt64(info.linkSpeedExtActive.rawValue) : 0
            let speed = capabilities == nil ? 0 : UInt64(info.linkSpeedActive.rawValue)
            let width = capabilities == nil ? 0 : UInt64(info.linkWidthActive.rawValue)
            out.append(text: DumpStyle.linkWidth.text(width, bits: 8), width: 3)
            out.append(" ")
            out.append(text: extended != 0 ? DumpStyle.linkSpeedExt.text(extended, bits: 4) : DumpStyle.linkSpeed.text(speed, bits: 4),
                       width: 18)
            out.append(" ")
        } else {
            out.append("              ")
        }
        out.append(text: state, width: 6)
        out.append("/")
        out.append(text: physical, width: 8)
        out.append(")")
        if info.portState != .down && options.switchSettings {
            out.append(" (HOQ:")
            out.decimal(info.hoqLife)
            out.append(" VL_Stall:")
            out.decimal(info.vlStallCount)
            out.append(")")
        }
        out.append("==>  ")
        if let remote = port.remote, let far = topology.nodes[remote.node], let farPort = far.ports[remote.port] {
            if options.lineMode {
                out.append("0x")
                out.hex(farPort.guid, digits: 16)
                out.append(" ")
            }
            out.decimal(farPort.info.lid != 0 ? farPort.info.lid : far.lid, width: 6)
            out.append(" ")
            out.decimal(remote.port, width: 4)
            out.append("[  ] \"")
            out.name(for: far.guid, nodeDescription: far.description, in: names)
            let (widthMessage, speedMessage) = couldBe(node, port, far, farPort)
            out.append("\" (")
            out.append(text: widthMessage)
            out.append(" ")
            out.append(text: speedMessage)
            out.append(")\n")
        } else {
            out.append(info.portState == .down ? "           [  ] \"\" ( )\n" : "    \"Port not available\"\n")
        }
    }

    private static func wasDown(_ node: Topology.Node, _ port: Topology.Port, in earlier: Topology) -> Bool {
        guard let before = earlier.nodes[node.guid], port.number <= before.info.numberOfPorts else { return false }
        if let then = before.ports[port.number] { return then.info.portState == .down }
        return before.isSwitch
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

    private static func typeName(_ node: Topology.Node) -> StaticString {
        switch node.info.nodeType {
        case .switch: "Switch"
        case .channelAdapter: "CA"
        case .router: "Router"
        default: "??"
        }
    }
}
