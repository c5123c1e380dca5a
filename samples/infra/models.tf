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

resource "aws_ssm_parameter" "mistral_api_key" {
  count       = var.mistral_api_key == "" ? 0 : 1
  name        = "/${var.name}/mistral-api-key"
  description = "Mistral API key of ${var.name}."
  type        = "SecureString"
  value       = var.mistral_api_key
}
