locals {
  mistral_key_parameter = var.mistral_api_key == "" ? null : aws_ssm_parameter.mistral_api_key[0].name

  environment = merge(
    {
      MODELS_PARAMETER        = aws_ssm_parameter.models.name
      DEFAULT_MODEL           = var.default_model
      METRICS_NAMESPACE       = var.metrics_namespace
      POWERTOOLS_SERVICE_NAME = var.name
      AUDIT_BUCKET            = aws_s3_bucket.audit.id
      AUDIT_KMS_KEY_ID        = aws_kms_key.audit.arn
    },
    local.mistral_key_parameter == null ? {} : { MISTRAL_API_KEY_PARAMETER = local.mistral_key_parameter },
  )
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 30
}

resource "aws_lambda_function" "chat" {
  function_name    = var.name
  description      = "Registry-driven chat (ModelRegistry sample, Native AOT)."
  role             = aws_iam_role.function.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.architecture]
  filename         = var.bootstrap_zip
  source_code_hash = filebase64sha256(var.bootstrap_zip)
  memory_size      = 512
  timeout          = 60
  layers           = [var.parameters_secrets_extension_layer_arn]

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.function]
}
