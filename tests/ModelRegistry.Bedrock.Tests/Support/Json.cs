using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock.Tests.Support;

internal static class Json
{
    public static readonly JsonSerializerOptions Options = AIJsonUtilities.DefaultOptions;
}
