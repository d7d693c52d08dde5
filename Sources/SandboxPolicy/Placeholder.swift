import JSONSchema

public enum SandboxPolicyPlaceholder {}
