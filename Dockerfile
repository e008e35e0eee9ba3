# The decision service (API + analysts' editor) as a container image.
#   docker build -t regras-central .
# Build stage: dev dependencies, tsc into dist/, the editor's Vite build into dist/editor/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Run stage: runtime dependencies and the build only; the shipped rule sets seed an empty store.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/var/lib/regras RULES_DIR=/app/rules
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY rules ./rules
RUN mkdir -p /var/lib/regras && chown node:node /var/lib/regras
USER node
EXPOSE 3000
# node directly (not npm) so that the process receives SIGTERM and shuts down gracefully.
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
