import Testing

/// Options a topology file cannot serve are refused before anything is read, rather than
/// answered with values the file does not hold. No device needed.
@Suite struct LoadedTopologyOptionTests {
    @Test("iblinkinfo -p with --load: a topology file holds no HOQ life or VL stall count",
          arguments: [["-p", "--load"], ["--print-sw-settings", "--load-cache"]])
    func switchSettingsNeedTheLiveFabric(_ options: [String]) throws {
        let result = try IBMadBinary.run(["iblinkinfo"] + options + ["/nonexistent/topology"])
        #expect(result.status == 64 && result.stdout.isEmpty, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("-p with --load: a topology file holds no HOQ life or VL stall count"), "stderr: \(result.stderr)")
    }

    @Test("ibnetdiscover -f with --load: a topology file holds no VLCap for -f's v=")
    func fullNeedsTheLiveFabric() throws {
        let result = try IBMadBinary.run(["ibnetdiscover", "-f", "--load", "/nonexistent/topology"])
        #expect(result.status == 64 && result.stdout.isEmpty, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("-f with --load: a topology file does not hold -f's VLCap (v=)"), "stderr: \(result.stderr)")
    }
}
