/// Where each slot and bounce buffer sits in the region. Send slots first, then receive
/// slots, then (verifier mode) one bounce buffer per slot between guard zones. Slot
/// strides are multiples of 64 bytes so no two slots share a cache line.
struct PoolLayout: Sendable {
    static let madSize = 256
    static let alignment = 64
    /// Guard zone before and after each bounce buffer (verifier mode).
    static let guardSize = 64

    let sendSlots: Int
    let receiveSlots: Int
    let sendHeadroom: Int
    let receiveHeadroom: Int
    let sendStride: Int
    let receiveStride: Int
    let bounceStride: Int
    let bounceStart: Int
    let regionSize: Int

    init(_ configuration: MADBufferPool.Configuration, pageSize: Int) {
        sendSlots = configuration.sendSlots
        receiveSlots = configuration.receiveSlots
        sendHeadroom = configuration.sendHeadroom
        receiveHeadroom = configuration.receiveHeadroom
        sendStride = Self.roundUp(sendHeadroom + Self.madSize, Self.alignment)
        receiveStride = Self.roundUp(receiveHeadroom + Self.madSize, Self.alignment)
        bounceStride = Self.guardSize + max(sendStride, receiveStride) + Self.guardSize
        bounceStart = sendSlots * sendStride + receiveSlots * receiveStride
        let bounceBytes = configuration.verify ? (sendSlots + receiveSlots) * bounceStride : 0
        regionSize = Self.roundUp(max(bounceStart + bounceBytes, 1), pageSize)
    }

    var slotCount: Int { sendSlots + receiveSlots }

    func kind(of index: Int) -> MADBufferPool.Kind { index < sendSlots ? .send : .receive }

    func headroom(_ kind: MADBufferPool.Kind) -> Int { kind == .send ? sendHeadroom : receiveHeadroom }

    func slotRange(_ index: Int) -> Range<Int> {
        precondition((0..<slotCount).contains(index), "slot index out of range")
        if index < sendSlots {
            let start = index * sendStride
            return start..<(start + sendHeadroom + Self.madSize)
        }
        let start = sendSlots * sendStride + (index - sendSlots) * receiveStride
        return start..<(start + receiveHeadroom + Self.madSize)
    }

    /// The bounce copy the device sees in verifier mode.
    func bounceRange(_ index: Int) -> Range<Int> {
        let start = bounceStart + index * bounceStride + Self.guardSize
        return start..<(start + slotRange(index).count)
    }

    /// Guard bytes around the bounce buffer: everything in its stride outside the copy.
    func guardRanges(_ index: Int) -> (before: Range<Int>, after: Range<Int>) {
        let strideStart = bounceStart + index * bounceStride
        let bounce = bounceRange(index)
        return (strideStart..<bounce.lowerBound, bounce.upperBound..<(strideStart + bounceStride))
    }

    static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }
}
