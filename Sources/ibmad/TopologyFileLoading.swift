import Fabric

/// Reads an ibnetdiscover topology file (text) for --load, --load-cache, --diff and
/// --filterdownports. libibnetdisc's binary cache (ibnetdiscover --cache,
/// ibnetdisc_cache.c, starting with the little-endian magic 0x8FE7832B) is recognised
/// and refused by name rather than reported as a parse error on line 1.
enum TopologyFileLoading {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ file: String) throws(Failure) -> Topology {
        let bytes: [UInt8]
        do { bytes = try FileReader.contents(of: file) } catch { throw Failure(description: error.message) }
        if bytes.starts(with: [0x2B, 0x83, 0xE7, 0x8F]) {
            throw Failure(description: "\(file) is a libibnetdisc binary cache (ibnetdiscover --cache), which is not "
                + "supported: give an ibnetdiscover text file (ibnetdiscover > FILE, or ibmad ibnetdiscover > FILE)")
        }
        do { return try TopologyFile.parse(String(decoding: bytes, as: UTF8.self)) } catch {
            throw Failure(description: "\(file): \(error)")
        }
    }
}
