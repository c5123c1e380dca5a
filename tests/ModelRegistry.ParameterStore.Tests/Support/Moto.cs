using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace ModelRegistry.ParameterStore.Tests.Support;

/// <summary>
/// The real SSM implementation the tests run against: moto, started by ./build/test.sh on 127.0.0.1, reached through
/// MODELREGISTRY_MOTO_ENDPOINT. Without it the moto tests fail (never skip), saying how to get it.
/// </summary>
internal static class Moto
{
    public const string Region = "eu-west-1";

    public static readonly BasicAWSCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    public static Uri Endpoint
    {
        get
        {
            var endpoint = Environment.GetEnvironmentVariable("MODELREGISTRY_MOTO_ENDPOINT");
            Uri? uri = null;
            if (string.IsNullOrWhiteSpace(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out uri))
            {
                Assert.Fail(
                    "MODELREGISTRY_MOTO_ENDPOINT is not set, and the ParameterStore tests need a real SSM implementation. " +
                    "Run ./build/test.sh, which starts moto and sets it, or start moto yourself " +
                    "('python3 -m moto.server -H 127.0.0.1 -p 5123') and export MODELREGISTRY_MOTO_ENDPOINT=http://127.0.0.1:5123.");
            }

            return uri!;
        }
    }

    /// <summary>A parameter name no other test uses.</summary>
    public static string UniqueName(string leaf) => $"/modelregistry-tests/{Guid.NewGuid():N}/{leaf}";

    /// <summary>Points the package at moto, outside Lambda, as the SSM API with the fake credentials.</summary>
    public static void Configure(ParameterStoreOptions options)
    {
        options.ServiceUrl = Endpoint;
        options.Region = Region;
        options.Credentials = Credentials;
    }

    /// <summary>
    /// For tests that must not read SSM at all: the SSM API points at a closed loopback port (never at AWS), so a wrong
    /// read fails the test instead of leaving the machine.
    /// </summary>
    public static void NoSsm(ParameterStoreOptions options)
    {
        options.ServiceUrl = new Uri("http://127.0.0.1:9/");
        options.Region = Region;
        options.Credentials = Credentials;
    }

    /// <summary>Writes a parameter as an operator (or Terraform) would, with the AWS SDK.</summary>
    public static async Task<long> PutAsync(string name, string value, ParameterType? type = null)
    {
        using var client = Client();
        var response = await client.PutParameterAsync(new PutParameterRequest
        {
            Name = name,
            Value = value,
            Type = type ?? ParameterType.String,
            Overwrite = true,
        });
        return response.Version ?? 0;
    }

    public static async Task DeleteAsync(string name)
    {
        using var client = Client();
        await client.DeleteParameterAsync(new DeleteParameterRequest { Name = name });
    }

    private static AmazonSimpleSystemsManagementClient Client() =>
        new(Credentials, new AmazonSimpleSystemsManagementConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region });
}
