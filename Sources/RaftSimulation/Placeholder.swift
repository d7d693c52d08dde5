import Raft

public enum RaftSimulationPlaceholder {}
