// The GPT-2 model module.
