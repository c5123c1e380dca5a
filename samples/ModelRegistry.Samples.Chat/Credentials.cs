using Microsoft.Extensions.Configuration;

namespace ModelRegistry.Samples.Chat;

/// <summary>Whether real providers can be reached, and the offline demo's overrides when they cannot.</summary>
internal static class Credentials
{
    /// <summary>The variable the offline demo's entries read their (fake) key from.</summary>
    private const string OfflineKeyVariable = "MODELCHAT_OFFLINE_KEY";

    public static bool Available(IConfiguration configuration)
    {
        string[] variables =
        [
            "MISTRAL_API_KEY", "MISTRAL_API_KEY_PARAMETER", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ];
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return variables.Any(v => !string.IsNullOrWhiteSpace(configuration[v]))
            || File.Exists(Path.Combine(home, ".aws", "credentials"));
    }

    /// <summary>Every entry of the registry, pointed at the demo endpoint with a fake key.</summary>
    public static IConfiguration PointAtOfflineDemo(IConfiguration configuration, Uri endpoint)
    {
        Environment.SetEnvironmentVariable(OfflineKeyVariable, "offline-demo-not-a-key");
        var overrides = new Dictionary<string, string?>();
        foreach (var entry in configuration.GetSection("ModelRegistry:Models").GetChildren())
        {
            overrides[$"{entry.Path}:endpoint"] = endpoint.ToString().TrimEnd('/');
            overrides[$"{entry.Path}:api_key"] = $"env:{OfflineKeyVariable}";
            if (string.Equals(entry["provider"], "bedrock", StringComparison.OrdinalIgnoreCase))
            {
                overrides[$"{entry.Path}:region"] = entry["region"] ?? "us-east-1"; // a setting only Bedrock entries have
            }
        }

        return new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(overrides).Build();
    }
}
