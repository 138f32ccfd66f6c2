// TinyWorld
