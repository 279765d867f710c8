/// The checks verifier mode runs around each post and completion.
enum PoolVerifier {
    /// Freed slots are filled with this; any other byte on reuse means a write after return.
    static let poisonByte: UInt8 = 0x6B
    /// Guard zones around bounce buffers; a change means the device wrote out of bounds.
    static let guardByte: UInt8 = 0xA5

    /// FNV-1a over the owner's slot: cheap, and any single changed byte changes it.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    static func fillGuards(around bounce: UnsafeMutableRawBufferPointer, in region: UnsafeMutableRawBufferPointer,
                           layout: PoolLayout, index: Int) {
        let guards = layout.guardRanges(index)
        UnsafeMutableRawBufferPointer(rebasing: region[guards.before]).initializeMemory(as: UInt8.self, repeating: guardByte)
        UnsafeMutableRawBufferPointer(rebasing: region[guards.after]).initializeMemory(as: UInt8.self, repeating: guardByte)
    }

    /// A description of the first damaged guard byte, or nil when both zones are intact.
    static func checkGuards(around bounce: UnsafeMutableRawBufferPointer, in region: UnsafeMutableRawBufferPointer,
                            layout: PoolLayout, index: Int) -> String? {
        let guards = layout.guardRanges(index)
        if let bad = region[guards.before].firstIndex(where: { $0 != guardByte }) {
            return "the device wrote \(guards.before.upperBound - bad) bytes before the buffer (guard zone damaged)"
        }
        if let bad = region[guards.after].firstIndex(where: { $0 != guardByte }) {
            return "the device wrote past the end of the buffer (guard zone byte \(bad - guards.after.lowerBound) damaged)"
        }
        return nil
    }
}
