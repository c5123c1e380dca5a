using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry;
using ModelRegistry.Bedrock;
using ModelRegistry.Conversations;
using ModelRegistry.Emf;
using ModelRegistry.Mistral;
using ModelRegistry.Samples.Chat;

// The chat CLI: the registry in models.json (overridable by environment, e.g. ModelRegistry__DefaultModel),
// Mistral and Bedrock providers, EMF metrics. Without MISTRAL_API_KEY or AWS credentials it runs the same stack
// against a local endpoint that speaks the providers' wire formats (the offline demo).
ChatOptionsLine line;
try
{
    line = ChatOptionsLine.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(ChatOptionsLine.Usage);
    return 2;
}

if (line.Help)
{
    Console.WriteLine(ChatOptionsLine.Usage);
    return 0;
}

IConfiguration configuration = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "models.json"), optional: false)
    .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "models.json"), optional: true)
    .AddEnvironmentVariables()
    .Build();

var offline = line.Offline || !Credentials.Available(configuration);
await using var demo = offline ? OfflineDemoServer.Start() : null;
if (demo is not null)
{
    configuration = Credentials.PointAtOfflineDemo(configuration, demo.BaseAddress);
}

if (demo is not null && !line.List)
{
    Console.Error.WriteLine(
        "offline demo: no MISTRAL_API_KEY or AWS credentials found, so the models answer from a local endpoint that speaks the\n" +
        "Mistral and Bedrock wire formats with a canned answer. Set MISTRAL_API_KEY (or AWS credentials) to ask a real model.\n");
}

var metrics = new StringWriter();
var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
services.AddModelRegistry()
    .AddMistral()
    .AddBedrock()
    .AddAnthropic()
    .AddOpenAI()
    .UseEmfMetrics(o => o.Sink = EmfSink.ToTextWriter(TextWriter.Synchronized(metrics)))
    .UseConversations(o =>
    {
        // The session is a stored conversation: in memory, or in PostgreSQL with a connection string.
        o.PostgreSqlConnectionString = configuration["Conversations:ConnectionString"] is { Length: > 0 } connectionString ? connectionString : null;
        o.StartConversations = true;
        o.DefaultCaller = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, Environment.UserName), new Claim(ClaimTypes.Role, ConversationRoles.User)], "local"));
    });
await using var provider = services.BuildServiceProvider();
var app = new ChatApp(provider.GetRequiredService<IModelRegistry>(), Console.Out, Console.Error, metrics, line.Metrics || offline);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Ctrl-C stops the answer being written; a second one (or one at the prompt) ends the program.
    e.Cancel = app.CancelCurrentAnswer();
    if (!e.Cancel)
    {
        stop.Cancel();
    }
};

return await app.RunAsync(line, Console.In, stop.Token);
