using System.Net;
using System.Net.Sockets;

namespace ModelRegistry.Testing;

/// <summary>
/// A loopback port held for one test: bound (on 127.0.0.1, and on ::1 where the machine has IPv6, so <c>localhost</c>
/// means it either way) so no other process can take it, but not listening, so every connection to it is refused, as
/// to a service that is not running. <see cref="ReplayServer.StartAsync(ReservedPort)"/> starts a server listening on
/// these very sockets: a service that starts late, without the port ever being released and reused.
/// </summary>
/// <remarks>Dispose it when the test ends (a started server owns the sockets and releases them itself).</remarks>
public sealed class ReservedPort : IDisposable
{
    private const int Tries = 20;

    private readonly Lock _gate = new();
    private List<Socket>? _sockets;

    private ReservedPort(List<Socket> sockets, int port)
    {
        _sockets = sockets;
        Port = port;
    }

    /// <summary>The port number.</summary>
    public int Port { get; }

    /// <summary>Binds a free port on 127.0.0.1 and, where IPv6 is available, the same port on ::1.</summary>
    /// <returns>The held port.</returns>
    public static ReservedPort Create()
    {
        for (var attempt = 1; ; attempt++)
        {
            var v4 = Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)v4.LocalEndPoint!).Port;
            if (!Socket.OSSupportsIPv6)
            {
                return new ReservedPort([v4], port);
            }

            try
            {
                return new ReservedPort([v4, Bind(new IPEndPoint(IPAddress.IPv6Loopback, port))], port);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < Tries)
            {
                v4.Dispose(); // another process has this port on ::1: try another one
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
            {
                return new ReservedPort([v4], port); // no IPv6 loopback here, so nothing can answer there either
            }
        }
    }

    /// <summary>Hands the sockets to the server that will listen on them; they are no longer this object's to release.</summary>
    internal IReadOnlyList<Socket> Take()
    {
        lock (_gate)
        {
            var sockets = _sockets ?? throw new InvalidOperationException($"Port {Port} is already served, or was released.");
            _sockets = null;
            return sockets;
        }
    }

    /// <summary>Releases the port, unless a server listens on it (the server releases it when it stops).</summary>
    public void Dispose()
    {
        List<Socket>? sockets;
        lock (_gate)
        {
            sockets = _sockets;
            _sockets = null;
        }

        foreach (var socket in sockets ?? [])
        {
            socket.Dispose();
        }
    }

    private static Socket Bind(IPEndPoint endpoint)
    {
        // A TCP socket, made with the protocol left to the system: .NET sets SO_REUSEADDR when it binds a socket made as
        // ProtocolType.Tcp on Unix, and with it another process could bind (and listen on) the port while it is held.
        // Without it, no other socket can bind this address and port.
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
