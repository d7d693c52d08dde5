import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The socket options every peer connection gets, dialled or accepted: no Nagle delay, and the
/// kernel's own liveness checks (`TCPTransportConfig.unacknowledgedTimeout`, keepalive), so a
/// connection to a host that died or was cut off ends within tens of seconds and is redialled.
enum PeerSocket {
    static func configure(_ channel: any Channel, _ config: TCPTransportConfig) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
        try options.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
        #if os(Linux)
            try options.setOption(tcp(TCP_KEEPIDLE), value: seconds(config.keepaliveIdle))
            try options.setOption(tcp(TCP_KEEPINTVL), value: seconds(config.keepaliveInterval))
            try options.setOption(tcp(TCP_KEEPCNT), value: SocketOptionValue(max(1, config.keepaliveProbes)))
            try options.setOption(tcp(TCP_USER_TIMEOUT), value: milliseconds(config.unacknowledgedTimeout))
        #endif
    }

    static func tcp(_ name: Int32) -> ChannelOptions.Types.SocketOption {
        ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: name))
    }

    /// At least one second, at most a day.
    private static func seconds(_ duration: Duration) -> SocketOptionValue {
        SocketOptionValue(min(max(duration.components.seconds, 1), 86_400))
    }

    /// At least one millisecond, at most a day.
    private static func milliseconds(_ duration: Duration) -> SocketOptionValue {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        return SocketOptionValue(min(max(total, 1), 86_400_000))
    }
}
