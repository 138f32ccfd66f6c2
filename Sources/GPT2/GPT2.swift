// GPT2
