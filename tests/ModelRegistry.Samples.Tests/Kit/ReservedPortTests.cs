using System.Net;
using System.Net.Sockets;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests.Kit;

/// <summary>The test kit's held port: refused while held, taken by no one else, served later on the very same sockets.</summary>
public sealed class ReservedPortTests
{
    private static async Task<SocketError> ConnectAsync(int port)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(10));
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    private static SocketError Bind(int port)
    {
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            other.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    [Test]
    public async Task A_held_port_refuses_connections_and_no_other_socket_can_bind_it_until_released()
    {
        var port = ReservedPort.Create();
        var connect = await ConnectAsync(port.Port);
        var bind = Bind(port.Port);
        Assert.Multiple(() =>
        {
            Assert.That(connect, Is.EqualTo(SocketError.ConnectionRefused));
            Assert.That(bind, Is.EqualTo(SocketError.AddressAlreadyInUse));
        });

        port.Dispose();
        Assert.That(Bind(port.Port), Is.EqualTo(SocketError.Success), "released");
    }

    [Test]
    public async Task A_server_started_on_a_held_port_answers_there_and_releases_it_when_it_stops()
    {
        using var port = ReservedPort.Create();
        var server = await ReplayServer.StartAsync(port);
        server.Enqueue(ScriptedResponse.Json("""{"ok":true}"""));
        using (var http = new HttpClient())
        {
            var answer = await http.GetStringAsync(new Uri($"http://localhost:{port.Port}/late")).WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Multiple(() =>
            {
                Assert.That(server.BaseAddress, Is.EqualTo(new Uri($"http://127.0.0.1:{port.Port}/")));
                Assert.That(answer, Is.EqualTo("""{"ok":true}"""));
                Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/late"));
                Assert.That(Bind(port.Port), Is.EqualTo(SocketError.AddressAlreadyInUse), "still held while served");
                Assert.ThrowsAsync<InvalidOperationException>(() => ReplayServer.StartAsync(port), "a port is served once");
            });
        }

        await server.DisposeAsync();
        Assert.That(Bind(port.Port), Is.EqualTo(SocketError.Success), "the stopped server released it");
    }
}
