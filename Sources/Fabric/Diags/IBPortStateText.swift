public import MADWire

/// What infiniband-diags' ibportstate prints (infiniband-diags/ibportstate.c, rdma-core 44).
public enum IBPortStateText {
    /// Mellanox ExtendedPortInfo (vendor SMP attribute 0xFF90): libibmad's four fields,
    /// bytes 3, 7, 11 and 15 of the SMP data (fields.c BITSOFFS(24/56/88/120, 8)).
    public enum MellanoxExtendedPortInfo {
        public static let attribute = AttributeID(rawValue: 0xFF90)
        public static let stateChangeEnable = Field("StateChangeEnable", byte: 3, width: 8, .hex)
        public static let linkSpeedSupported = Field("LinkSpeedSupported", byte: 7, width: 8, .hex)
        public static let linkSpeedEnabled = Field("LinkSpeedEnabled", byte: 11, width: 8, .hex)
        public static let linkSpeedActive = Field("LinkSpeedActive", byte: 15, width: 8, .hex)
        public static let fields = [stateChangeEnable, linkSpeedSupported, linkSpeedEnabled, linkSpeedActive]
        /// StateChangeEnable / LinkSpeed* value meaning FDR10 (ibportstate's FDR10 = 0x01).
        public static let fdr10: UInt64 = 0x01
    }

    /// PortInfo CapabilityMask bit 14, IsExtendedSpeedsSupported (IBA 14.2.5.6): ibportstate
    /// then shows LinkSpeedExt* and sets attribute modifier bit 31 on its Set.
    public static let extendedSpeedsCapability: UInt64 = 1 << 14

    /// ibdiag_common's is_mlnx_ext_port_info_supported (MLX_EPI on, its default): the
    /// Mellanox device IDs ibportstate also queries ExtendedPortInfo on.
    public static func mellanoxExtendedPortInfoSupported(vendorID: UInt32, deviceID: UInt16) -> Bool {
        let d = deviceID
        if (0xC738...0xC73B).contains(d) || [0xC839, 0xCB20, 0xCF08, 0xCF09, 0xD2F0].contains(d) { return true }
        if vendorID == 0x119F && ([0x1B02, 0x1B50, 0x1BA0, 0x1BF0].contains(d) || (0x1BD0...0x1BD5).contains(d)) { return true }
        if (0x1003...0x101B).contains(d) || d == 0xA2D2 { return true }
        if vendorID == 0x119F && ([0x1B33, 0x1B73, 0x1B40, 0x1B41, 0x1B60, 0x1B61, 0x1B83, 0x1B93, 0x1B94, 0x1BB4, 0x1BB5]
            .contains(d) || (0x1BC4...0x1BC6).contains(d)) { return true }
        return false
    }

    private static func field(_ name: String) -> DumpField {
        (DumpTables.portInfo + DumpTables.portInfoExtendedSpeeds).first { $0.name == name }!
    }

    /// The PortInfo fields show_port_info prints, in its order (the M_Key group only for a
    /// channel adapter port or switch port 0).
    public static func shownFields(extendedSpeeds: Bool, keys: Bool) -> [DumpField] {
        var names = ["LinkState", "PhysLinkState", "Lid", "SMLid", "LMC", "LinkWidthSupported", "LinkWidthEnabled",
                     "LinkWidthActive", "LinkSpeedSupported", "LinkSpeedEnabled", "LinkSpeedActive"]
        if extendedSpeeds { names += ["LinkSpeedExtSupported", "LinkSpeedExtEnabled", "LinkSpeedExtActive"] }
        if keys { names += ["Mkey", "MkeyLeasePeriod", "ProtectBits"] }
        return names.map(field)
    }

    /// show_port_info: "# Port info: Lid 3 port 1" and the fields; M_Key "<not displayed>"
    /// unless `showKeys` (-K).
    public static func portInfo(_ info: PortInfo, destination: DiagsDestination, port: Int, extendedSpeeds: Bool,
                                isSwitch: Bool, showKeys: Bool) -> String {
        var text = "# Port info: \(destination) port \(port)\n"
        for field in shownFields(extendedSpeeds: extendedSpeeds, keys: !isSwitch || port == 0) {
            let value = field.name == "Mkey" && !showKeys ? AttributeDump.notDisplayed : field.value(in: info)
            text += DumpValue.line(field.name, value) + "\n"
        }
        return text
    }

    /// show_mlnx_ext_port_info, from the 64 bytes of SMP data.
    public static func mellanoxExtendedPortInfo(_ data: PortInfo, destination: DiagsDestination, port: Int) -> String {
        var text = "# MLNX ext Port info: \(destination) port \(port)\n"
        for field in MellanoxExtendedPortInfo.fields {
            text += DumpValue.line(field.name, "0x" + DumpValue.hex(data[field], digits: 2)) + "\n"
        }
        return text
    }

    /// The IBWARN texts of validate_width / validate_speed / validate_extended_speed: what
    /// the link should run at given both ends' enabled (or supported) sets.
    public static func widthWarning(width: Int, peerWidth: Int, active: Int) -> String? {
        for (bit, name) in [(8, "12x"), (4, "8x"), (2, "4x"), (16, "2x"), (1, "1x")] where width & peerWidth & bit != 0 {
            return active == bit ? nil : "Peer ports operating at active width \(active) rather than \(bit) (\(name))"
        }
        return nil
    }

    public static func speedWarning(speed: Int, peerSpeed: Int, active: Int) -> String? {
        for (bit, name) in [(4, "10.0 Gbps"), (2, "5.0 Gbps"), (1, "2.5 Gbps")] where speed & peerSpeed & bit != 0 {
            return active == bit ? nil : "Peer ports operating at active speed \(active) rather than \(bit) (\(name))"
        }
        return nil
    }

    public static func extendedSpeedWarning(speed: Int, peerSpeed: Int, active: Int) -> String? {
        for (bit, name) in [(8, "106.25 Gbps"), (4, "53.125 Gbps"), (2, "25.78125 Gbps"), (1, "14.0625 Gbps")]
        where speed & peerSpeed & bit != 0 {
            return active == bit ? nil : "Peer ports operating at active extended speed \(active) rather than \(bit) (\(name))"
        }
        return nil
    }
}
