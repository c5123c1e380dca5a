variable "region" {
  description = "AWS region of the function, its parameters and the Bedrock models it calls."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name prefix of every resource (function, parameters, dashboard, alarms)."
  type        = string
  default     = "model-registry-chat"
}

variable "extra_models" {
  description = "More registry entries, merged over the defaults in models.tf (same format: provider, model_id, settings)."
  type        = map(any)
  default     = {}
}

variable "default_model" {
  description = "Registry name used when an event names no model (DEFAULT_MODEL)."
  type        = string
  default     = "mistral-large"
}

variable "mistral_api_key" {
  description = "Mistral API key. When set, it is stored as a SecureString parameter and the function reads it through MISTRAL_API_KEY_PARAMETER; when empty, only Bedrock entries can answer."
  type        = string
  default     = ""
  sensitive   = true
}

variable "bedrock_api_key" {
  description = "Long-term Bedrock API key for the Bedrock Mantle entries (haiku-mantle, minimax-mantle). When set, it is stored as the SecureString parameter /<name>/bedrock-api-key that those entries reference (api_key = ssm:...); when empty, those entries fail with a clear error and haiku-mantle falls back to haiku over Converse."
  type        = string
  default     = ""
  sensitive   = true
}

variable "bootstrap_zip" {
  description = "Path of the zip holding the Native AOT 'bootstrap' that build/publish-lambda.sh produces."
  type        = string
  default     = "../../build/out/lambda/bootstrap-x64.zip"
}

variable "architecture" {
  description = "Lambda architecture matching the bootstrap: x86_64 (build/publish-lambda.sh x64) or arm64 (build/publish-lambda.sh arm64, on an arm64 machine)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "parameters_secrets_extension_layer_arn" {
  description = "ARN of the AWS Parameters and Secrets Lambda Extension layer for the region and architecture (see the AWS documentation for the current version)."
  type        = string
  default     = "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:12"
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the EMF metrics (METRICS_NAMESPACE)."
  type        = string
  default     = "ModelRegistry"
}

variable "error_alarm_threshold" {
  description = "Errors of one model in 5 minutes that raise its alarm."
  type        = number
  default     = 5
}

variable "throttle_alarm_threshold" {
  description = "Throttles of one model in 5 minutes that raise its alarm."
  type        = number
  default     = 10
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when an alarm fires."
  type        = list(string)
  default     = []
}

variable "audit_transition_days" {
  description = "Days after which audit objects move to audit_transition_storage_class."
  type        = number
  default     = 30

  validation {
    condition     = var.audit_transition_days >= 0
    error_message = "audit_transition_days must be 0 or more."
  }
}

variable "audit_transition_storage_class" {
  description = "The cheaper storage class audit objects move to (e.g. STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE)."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.audit_transition_storage_class)
    error_message = "audit_transition_storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }
}

variable "audit_expiration_days" {
  description = "Days after which audit objects are deleted; must be later than the transition."
  type        = number
  default     = 400

  validation {
    condition     = var.audit_expiration_days >= 1
    error_message = "audit_expiration_days must be 1 or more (and greater than audit_transition_days, checked in audit.tf)."
  }
}
