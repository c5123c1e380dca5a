# The model registry: one map, rendered with jsonencode into an SSM String parameter that the function reads
# (MODELS_PARAMETER). Changing a model is a parameter change, not a deploy: the function refreshes the registry.
locals {
  default_models = {
    "haiku" = {
      provider              = "bedrock"
      model_id              = "anthropic.claude-haiku-4-5-20251001-v1:0"
      inference_profile_arn = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"
    }
    "mistral-large" = {
      provider  = "mistral"
      model_id  = "mistral-large-latest"
      fallbacks = ["haiku"]
    }
    "devstral-small" = {
      provider = "mistral"
      model_id = "devstral-small-2507"
    }
    # Bedrock Mantle: Claude over the Anthropic Messages API and other models over the OpenAI-compatible API, both with
    # the long-term Bedrock API key held in SSM (var.bedrock_api_key). Mantle down or refusing: the same Claude over
    # Converse, with the function's IAM role.
    "haiku-mantle" = {
      provider  = "anthropic"
      model_id  = "anthropic.claude-haiku-4-5"
      region    = var.region
      api_key   = "ssm:/${var.name}/bedrock-api-key"
      fallbacks = ["haiku"]
    }
    "minimax-mantle" = {
      provider = "openai"
      model_id = "minimax.minimax-m2.5"
      region   = var.region
      api_key  = "ssm:/${var.name}/bedrock-api-key"
    }
  }

  models = merge(local.default_models, var.extra_models)
}

resource "aws_ssm_parameter" "models" {
  name        = "/${var.name}/models"
  description = "Model registry of ${var.name} (ModelRegistry JSON)."
  type        = "String"
  tier        = "Standard"
  value       = jsonencode(local.models)
}

resource "aws_ssm_parameter" "bedrock_api_key" {
  count       = var.bedrock_api_key == "" ? 0 : 1
  name        = "/${var.name}/bedrock-api-key"
  description = "Long-term Bedrock API key of ${var.name}, for the Bedrock Mantle entries (anthropic and openai providers)."
  type        = "SecureString"
  value       = var.bedrock_api_key
}

resource "aws_ssm_parameter" "mistral_api_key" {
  count       = var.mistral_api_key == "" ? 0 : 1
  name        = "/${var.name}/mistral-api-key"
  description = "Mistral API key of ${var.name}."
  type        = "SecureString"
  value       = var.mistral_api_key
}
