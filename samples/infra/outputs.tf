output "function_name" {
  description = "The chat function; invoke it with {\"prompt\": \"...\", \"model\": \"devstral-small\"}."
  value       = aws_lambda_function.chat.function_name
}

output "models_parameter" {
  description = "The SSM parameter holding the registry JSON."
  value       = aws_ssm_parameter.models.name
}

output "registry_json" {
  description = "The registry as rendered into the parameter."
  value       = aws_ssm_parameter.models.value
  sensitive   = false
}

output "dashboard_url" {
  description = "The CloudWatch dashboard of the models."
  value       = "https://console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards:name=${aws_cloudwatch_dashboard.models.dashboard_name}"
}

output "audit_bucket" {
  description = "The bucket of the audit copy (AUDIT_BUCKET): gzip OTLP/JSON under audit/YYYY/MM/DD/HH/."
  value       = aws_s3_bucket.audit.id
}

output "audit_kms_key_arn" {
  description = "The KMS key the audit copy is encrypted with (AUDIT_KMS_KEY_ID)."
  value       = aws_kms_key.audit.arn
}
