/// The Fabric module holds the topology model, discovery and sweeps (later issues).
/// For now: the node-name map every infiniband-diags tool honours.
public enum FabricModule {}
