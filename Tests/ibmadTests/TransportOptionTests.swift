import Testing

/// --transport, --dgid and --dqpn checks that need no device: SMP subcommands refuse the
/// verbs transport before opening anything, and bad GIDs are named with the forms expected.
@Suite struct TransportOptionTests {
    @Test("SMP subcommands refuse --transport verbs, naming QP0 and UmadPort",
          arguments: [["smpquery", "nodeinfo", "1"], ["sminfo"], ["ibaddr"], ["ibroute", "1"]])
    func smpSubcommandsRefuseVerbs(_ command: [String]) throws {
        let result = try IBMadBinary.run(command + ["--transport", "verbs"])
        #expect(result.status == 255, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stderr.contains("QP0") && result.stderr.contains("UmadPort") && result.stderr.contains("--transport umad"),
                "stderr: \(result.stderr)")
    }

    @Test("SMP subcommands refuse --dgid")
    func smpSubcommandsRefuseDGID() throws {
        let result = try IBMadBinary.run(["smpquery", "nodeinfo", "1", "--dgid", "fe80::1"])
        #expect(result.status == 255)
        #expect(result.stderr.contains("--dgid and --dqpn apply to GSI subcommands"), "stderr: \(result.stderr)")
    }

    @Test("A GID that does not parse is named with the forms expected", arguments: ["perfquery", "ibping"])
    func badGID(_ tool: String) throws {
        let result = try IBMadBinary.run([tool, "--transport", "verbs", "--dgid", "fe80::zz"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--dgid \"fe80::zz\" is not a GID") && result.stderr.contains("::ffff:10.0.0.1"),
                "stderr: \(result.stderr)")
    }

    @Test("An unknown transport is refused")
    func unknownTransport() throws {
        let result = try IBMadBinary.run(["perfquery", "--transport", "tcp"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("tcp") && result.stderr.contains("--transport"), "stderr: \(result.stderr)")
    }

    @Test("A malformed -y is named with the option, as every diags tool names it",
          arguments: ["iblinkinfo", "ibqueryerrors", "ibnetdiscover", "smpquery"])
    func malformedMKey(tool: String) throws {
        let result = try IBMadBinary.run([tool, "-y", "zz"])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("The value 'zz' is invalid for '-y <key>'"), "stderr: \(result.stderr)")
    }
}
