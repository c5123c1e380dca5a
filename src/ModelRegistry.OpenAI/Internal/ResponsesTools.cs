using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Writes the Responses API's <c>tools</c>: functions (flat: <c>{"type":"function","name",...}</c>) and MEAI's hosted
/// tools the API runs itself. A hosted tool's <see cref="AITool.AdditionalProperties"/> are the API's own fields of that
/// tool (e.g. <c>search_context_size</c>, <c>user_location</c>) and are written as given after the mapped ones.
/// </summary>
internal static class ResponsesTools
{
    public static void Write(Utf8JsonWriter writer, AITool tool, bool? strictDefault)
    {
        writer.WriteStartObject();
        switch (tool)
        {
            case AIFunctionDeclaration function:
                writer.WriteString("type", "function");
                writer.WriteString("name", OpenAINames.RequireValidFunctionName(function.Name, "ChatOptions.Tools"));
                if (!string.IsNullOrEmpty(function.Description))
                {
                    writer.WriteString("description", function.Description);
                }

                writer.WritePropertyName("parameters");
                ProviderJson.WriteParametersSchema(writer, function);
                if ((ProviderJson.ReadBool(tool.AdditionalProperties, OpenAIProperties.Strict) ?? strictDefault) is { } strict)
                {
                    writer.WriteBoolean("strict", strict);
                }

                writer.WriteEndObject();
                return;
            case HostedWebSearchTool:
                writer.WriteString("type", "web_search");
                break;
            case HostedCodeInterpreterTool code:
                writer.WriteString("type", "code_interpreter");
                writer.WriteStartObject("container");
                writer.WriteString("type", "auto");
                if (code.Inputs?.OfType<HostedFileContent>().Select(f => f.FileId).ToList() is { Count: > 0 } files)
                {
                    WriteStrings(writer, "file_ids", files);
                }

                writer.WriteEndObject();
                break;
            case HostedFileSearchTool search:
                if (search.Inputs?.OfType<HostedVectorStoreContent>().Select(v => v.VectorStoreId).ToList() is not { Count: > 0 } stores)
                {
                    throw new ArgumentException(
                        "A HostedFileSearchTool needs at least one vector store for the Responses API: add a HostedVectorStoreContent (\"vs_...\") to its Inputs.", nameof(tool));
                }

                writer.WriteString("type", "file_search");
                WriteStrings(writer, "vector_store_ids", stores);
                if (search.MaximumResultCount is { } max)
                {
                    writer.WriteNumber("max_num_results", max);
                }

                break;
            case HostedMcpServerTool mcp:
                WriteMcp(writer, mcp);
                break;
            case HostedImageGenerationTool image:
                writer.WriteString("type", "image_generation");
                if (image.Options is { } options)
                {
                    if (options.ModelId is { } model)
                    {
                        writer.WriteString("model", model);
                    }

                    if (options.MediaType is { } mediaType)
                    {
                        writer.WriteString("output_format", mediaType switch
                        {
                            "image/png" => "png",
                            "image/jpeg" => "jpeg",
                            "image/webp" => "webp",
                            _ => throw new ArgumentException($"The image generation tool makes png, jpeg or webp images, not {mediaType}.", nameof(tool)),
                        });
                    }

                    if (options.ImageSize is { } size)
                    {
                        writer.WriteString("size", $"{size.Width}x{size.Height}");
                    }

                    if (options.StreamingCount is { } partial)
                    {
                        writer.WriteNumber("partial_images", partial);
                    }
                }

                break;
            default:
                throw new NotSupportedException(
                    $"The tool '{tool.Name}' ({tool.GetType().Name}) has no Responses API equivalent: the API takes functions (AIFunction / AIFunctionDeclaration), " +
                    "HostedWebSearchTool, HostedCodeInterpreterTool, HostedFileSearchTool, HostedMcpServerTool and HostedImageGenerationTool.");
        }

        foreach (var (name, value) in tool.AdditionalProperties)
        {
            if (value is not null)
            {
                writer.WritePropertyName(name);
                ProviderJson.WriteValue(writer, value);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>{"type":"mcp","server_label",...}</c>: <c>server_url</c> when the address is an absolute URL, else
    /// <c>connector_id</c> (OpenAI's connectors); headers, allowed tools and the approval policy as MEAI states them.
    /// </summary>
    private static void WriteMcp(Utf8JsonWriter writer, HostedMcpServerTool mcp)
    {
        writer.WriteString("type", "mcp");
        writer.WriteString("server_label", mcp.ServerName);
        if (Uri.TryCreate(mcp.ServerAddress, UriKind.Absolute, out var url) && url.Scheme is "https" or "http")
        {
            writer.WriteString("server_url", url.AbsoluteUri);
        }
        else
        {
            writer.WriteString("connector_id", mcp.ServerAddress);
        }

        if (!string.IsNullOrEmpty(mcp.ServerDescription))
        {
            writer.WriteString("server_description", mcp.ServerDescription);
        }

        if (mcp.Headers is { Count: > 0 } headers)
        {
            writer.WriteStartObject("headers");
            foreach (var (name, value) in headers)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        if (mcp.AllowedTools is { } allowed)
        {
            WriteStrings(writer, "allowed_tools", allowed);
        }

        switch (mcp.ApprovalMode)
        {
            case HostedMcpServerToolAlwaysRequireApprovalMode:
                writer.WriteString("require_approval", "always");
                break;
            case HostedMcpServerToolNeverRequireApprovalMode:
                writer.WriteString("require_approval", "never");
                break;
            case HostedMcpServerToolRequireSpecificApprovalMode specific:
                writer.WriteStartObject("require_approval");
                if (specific.AlwaysRequireApprovalToolNames is { Count: > 0 } always)
                {
                    writer.WriteStartObject("always");
                    WriteStrings(writer, "tool_names", always);
                    writer.WriteEndObject();
                }

                if (specific.NeverRequireApprovalToolNames is { Count: > 0 } never)
                {
                    writer.WriteStartObject("never");
                    WriteStrings(writer, "tool_names", never);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
